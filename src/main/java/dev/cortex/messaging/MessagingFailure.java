package dev.cortex.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chat.BadRequestException;
import dev.cortex.routing.ChainVerdict;
import dev.cortex.routing.ChatContext;

/**
 * Decides what stopped a queued request, with the HTTP front door's status codes: 400 for a request that cannot be
 * served as sent (it also goes to the dead-letter queue: retrying it could never help), what {@link ChainVerdict}
 * decides when no provider answered (a 4xx every provider agreed on, 503 with every provider's reason), 504 when the
 * caller's deadline had passed, 500 for a bug (dead-lettered too, to be re-driven once fixed).
 */
public final class MessagingFailure implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(MessagingFailure.class);

    /**
     * @param retryAfterSeconds when every provider is cooling down, seconds until one may answer; else null
     * @param deadLetter        why the request belongs in the dead-letter queue; null when it does not
     */
    public record Failure(int status, String code, String message, String param, Long retryAfterSeconds,
                          String attempts, String deadLetter) {
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
        Failure failure;
        if (cause instanceof BadRequestException bad) {
            failure = new Failure(bad.status(), "invalid_request", bad.getMessage(), bad.param(), null, attempts,
                    bad.getMessage());
        } else if (cause instanceof DeadlineExceededException late) {
            failure = new Failure(504, "deadline_exceeded", late.getMessage(), null, null, attempts, null);
        } else if (chat != null && ChainVerdict.noAnswer(cause)) {
            ChainVerdict verdict = ChainVerdict.of(chat.trail(), chat.preference().pinned());
            failure = new Failure(verdict.status(), verdict.code(), verdict.message(), null,
                    verdict.retryAt().map(this::secondsUntil).orElse(null), attempts, null);
        } else {
            LOG.error("Unexpected failure serving a queued request; it goes to the dead-letter queue", cause);
            String what = cause == null ? "unknown" : cause.getClass().getName();
            failure = new Failure(500, "internal_error", "Cortex failed to serve this request; see its log.", null, null,
                    attempts, "Cortex failed to serve this request (" + what + "); see its log.");
        }
        exchange.setProperty(MessagingProperties.FAILURE, failure);
        exchange.setProperty(MessagingProperties.DEAD_LETTER, failure.deadLetter());
    }

    private long secondsUntil(Instant at) {
        return Math.max(1, Duration.between(clock.instant(), at).toSeconds() + 1);
    }
}
