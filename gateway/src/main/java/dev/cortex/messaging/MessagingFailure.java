package dev.cortex.messaging;

import java.time.Clock;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chain.ChainVerdict;
import dev.cortex.chat.ChatContext;
import dev.cortex.failure.AccessRefusedException;
import dev.cortex.failure.BadRequestException;
import dev.cortex.failure.LimitExceededException;
import dev.cortex.limits.LimitStoreUnavailableException;
import dev.cortex.limits.RateHeaders;

/**
 * Decides what stopped a queued request, with the HTTP front door's status codes: 400 for a request that cannot be
 * served as sent (it also goes to the dead-letter queue: retrying it could never help), what {@link ChainVerdict}
 * decides when no provider answered (a 4xx every provider agreed on, 503 with every provider's reason), 504 when the
 * caller's deadline had passed, 500 for a bug (dead-lettered too, to be re-driven once fixed). A gateway key that
 * is unknown (401) or whose policy rules the request out (403) is dead-lettered like a bad request: sent again as it
 * is, it could never succeed. A key over its limits is answered 429 ({@code rate_limit_exceeded} or
 * {@code budget_exceeded}, with its rate limits, and when to retry if waiting helps), and a limit store that cannot
 * be reached 503 {@code limits_unavailable}: both only answered, as there was nothing wrong with the request. A
 * reply that could not be delivered dead-letters the request with 502 {@code reply_undeliverable}, and no error
 * reply is tried. A failure with no reply address to answer to is dead-lettered whatever it was, so that it is never
 * lost unsaid.
 *
 * <p>Deciding the failure ends the request: its key's reservation is released (nothing was used).
 */
public final class MessagingFailure implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(MessagingFailure.class);

    /**
     * @param retryAfterSeconds when every provider is cooling down, seconds until one may answer; else null
     * @param deadLetter        why the request belongs in the dead-letter queue; null when it does not
     * @param limitHeaders      the key's {@code x-ratelimit-*} headers, for a 429 over its limits; else empty
     */
    public record Failure(
            int status,
            String code,
            String message,
            String param,
            Long retryAfterSeconds,
            String attempts,
            String deadLetter,
            Map<String, String> limitHeaders) {

        public Failure {
            limitHeaders = limitHeaders == null ? Map.of() : Map.copyOf(limitHeaders);
        }

        public Failure(
                int status,
                String code,
                String message,
                String param,
                Long retryAfterSeconds,
                String attempts,
                String deadLetter) {
            this(status, code, message, param, retryAfterSeconds, attempts, deadLetter, Map.of());
        }

        Failure deadLettered(String reason) {
            return new Failure(status, code, message, param, retryAfterSeconds, attempts, reason, limitHeaders);
        }
    }

    private final Clock clock;

    public MessagingFailure(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ChatContext chat = exchange.getMessage().getBody() instanceof ChatContext c ? c : null;
        String attempts = MessagingReply.attempts(exchange, chat);
        Failure earlier = exchange.getProperty(MessagingProperties.FAILURE, Failure.class);
        if (cause instanceof ReplyUndeliverableException lost) {
            LOG.warn(
                    "Request {}: {} It goes to the dead-letter queue / topic.",
                    exchange.getProperty(MessagingProperties.CORRELATION_ID),
                    lost.getMessage());
        }
        Failure failure;
        if (cause instanceof ReplyUndeliverableException lost && earlier != null) {
            // the error reply for an earlier failure could not be delivered: the dead letter says both
            failure = earlier.deadLetter() != null
                    ? new Failure(
                            earlier.status(),
                            earlier.code(),
                            earlier.message(),
                            earlier.param(),
                            earlier.retryAfterSeconds(),
                            earlier.attempts(),
                            earlier.deadLetter() + " " + lost.getMessage())
                    : new Failure(
                            502,
                            "reply_undeliverable",
                            lost.getMessage(),
                            null,
                            null,
                            earlier.attempts(),
                            lost.getMessage() + " The undelivered reply was an error, " + earlier.status() + " "
                                    + earlier.code() + ": " + earlier.message());
        } else if (cause instanceof ReplyUndeliverableException lost) {
            failure = new Failure(
                    502,
                    "reply_undeliverable",
                    lost.getMessage(),
                    null,
                    null,
                    attempts,
                    lost.getMessage() + " The request was answered (" + attempts + "); re-send it once its reply"
                            + " address can be written to.");
        } else if (cause instanceof BadRequestException bad) {
            failure = new Failure(
                    bad.status(), bad.code(), bad.getMessage(), bad.param(), null, attempts, bad.getMessage());
        } else if (cause instanceof AccessRefusedException refused) {
            // an unknown key, or a key's policy: as sent, the request can never succeed
            failure = new Failure(
                    refused.status(), refused.code(), refused.getMessage(), null, null, attempts, refused.getMessage());
        } else if (cause instanceof LimitExceededException limited) {
            long wait = limited.decision().retryAfterMillis();
            failure = new Failure(
                    429,
                    limited.code(),
                    limited.getMessage(),
                    null,
                    limited.worthRetrying() ? Math.max(1, (wait + 999) / 1000) : null,
                    attempts,
                    null,
                    RateHeaders.of(
                            limited.decision().requests(), limited.decision().tokens()));
        } else if (cause instanceof LimitStoreUnavailableException unavailable) {
            // cortex.limits.when-store-unreachable = refuse: no limit is known, so nothing is admitted
            failure = new Failure(503, "limits_unavailable", unavailable.getMessage(), null, 1L, attempts, null);
        } else if (cause instanceof DeadlineExceededException late) {
            failure = new Failure(504, "deadline_exceeded", late.getMessage(), null, null, attempts, null);
        } else if (chat != null && ChainVerdict.noAnswer(cause)) {
            ChainVerdict verdict =
                    ChainVerdict.of(chat.trail(), chat.preference().pinned());
            failure = new Failure(
                    verdict.status(),
                    verdict.code(),
                    verdict.message(),
                    null,
                    verdict.retryAfterSeconds(clock.instant()).orElse(null),
                    attempts,
                    null);
        } else {
            LOG.error("Unexpected failure serving a queued request; it goes to the dead-letter queue", cause);
            String what = cause == null ? "unknown" : cause.getClass().getName();
            failure = new Failure(
                    500,
                    "internal_error",
                    "Cortex failed to serve this request; see its log.",
                    null,
                    null,
                    attempts,
                    "Cortex failed to serve this request (" + what + "); see its log.");
        }
        if (failure.deadLetter() == null && exchange.getProperty(MessagingProperties.REPLY_TO) == null) {
            // nobody to answer: set aside with the reason rather than acknowledged unsaid
            failure = failure.deadLettered(failure.message() + " The request had no reply address to answer to.");
        }
        if (chat != null) {
            chat.ended(Integer.toString(failure.status()), null); // releases what its key's limits reserved
        }
        exchange.setProperty(MessagingProperties.FAILURE, failure);
        exchange.setProperty(MessagingProperties.DEAD_LETTER, failure.deadLetter());
        // no error reply to an address a reply just failed to reach: it would fail the same way
        exchange.setProperty(
                MessagingProperties.ERROR_REPLY,
                exchange.getProperty(MessagingProperties.REPLY_TO) != null
                        && !(cause instanceof ReplyUndeliverableException));
    }
}
