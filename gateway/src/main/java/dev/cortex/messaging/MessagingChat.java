package dev.cortex.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chain.ChainVerdict;
import dev.cortex.chat.AttemptTrail;
import dev.cortex.chat.ChatContext;
import dev.cortex.failure.ClientGoneException;

/**
 * Sends a queued request down the chain ({@code direct:chat}), as the HTTP front door does, with one difference a
 * queue allows: when every provider refused and at least one of them is cooling down with a known end (rate limit,
 * quota), the request waits for the earliest cooldown to end and the chain is asked again, rather than failing at
 * once. Any other failure is left on the exchange for the route's error handling.
 *
 * <p>A request waits only within its {@linkplain Budget budget}, counted from when the request was taken (not from
 * when the wait starts): the time already spent plus the wait must end within
 * {@code cortex.messaging.max-cooldown-wait-seconds} of it being taken, and before the caller's deadline. Over Kafka
 * the next round at its worst (every provider it may call running to its total timeout) must also end safely inside
 * the consumer's poll interval, or the group would drop the consumer and hand the request to another. Otherwise the
 * error goes back at once, with each provider's reason and when to retry.
 *
 * <p>The wait holds the consumer (and the unacknowledged request) the way a slow provider would: while every
 * provider is cooling down, the requests behind it could not be answered either.
 */
public final class MessagingChat implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(MessagingChat.class);
    private static final Duration MIN_WAIT = Duration.ofMillis(200);

    /**
     * How long a request may be held, from when it was taken, and what one more round of the chain may cost.
     *
     * @param maxWait           {@code cortex.messaging.max-cooldown-wait-seconds}: how long after it was taken a
     *                          request may still be waiting for a cooldown
     * @param consumerLimit     how long a consumer may hold one request before its transport takes it away (Kafka: the
     *                          poll interval less a margin for the reply and the commit); null when there is none (JMS)
     * @param providerWorstCase each provider's longest call: its total timeout
     * @param lastResortWait    how long a request may wait for a free slot at the last provider of its plan
     */
    public record Budget(
            Duration maxWait,
            Duration consumerLimit,
            Map<String, Duration> providerWorstCase,
            Duration lastResortWait) {

        public Budget {
            providerWorstCase = Map.copyOf(providerWorstCase);
        }

        /** The latest moment a request taken at {@code takenAt}, with this deadline (or null), may resume at. */
        Instant resumeBy(Instant takenAt, Instant deadline) {
            Instant end = takenAt.plus(maxWait);
            return deadline != null && deadline.isBefore(end) ? deadline : end;
        }

        /** When the consumer holding a request taken at {@code takenAt} must be done with it; null when never. */
        Instant consumerDoneBy(Instant takenAt) {
            return consumerLimit == null ? null : takenAt.plus(consumerLimit);
        }

        /**
         * The longest the next round can take when it starts at {@code resumeAt}: every provider of this round that
         * may be called then (one still cooling is passed over unasked) running to its total timeout, and the wait
         * for a slot at the last one.
         */
        Duration nextRound(AttemptTrail trail, Instant resumeAt) {
            Duration longest =
                    providerWorstCase.values().stream().max(Duration::compareTo).orElse(Duration.ZERO);
            Duration total = lastResortWait;
            for (String provider : trail.entries().stream()
                    .filter(AttemptTrail.Entry::shown)
                    .filter(e -> e.retryAt() == null || !e.retryAt().isAfter(resumeAt))
                    .map(AttemptTrail.Entry::provider)
                    .distinct()
                    .toList()) {
                total = total.plus(providerWorstCase.getOrDefault(provider, longest));
            }
            return total;
        }
    }

    private final Budget budget;
    private final Clock clock;
    private final ConsumerThread thread;

    public MessagingChat(CamelContext context, Budget budget, Clock clock) {
        this.thread = new ConsumerThread(context);
        this.budget = budget;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Instant deadline = exchange.getProperty(MessagingProperties.DEADLINE, Instant.class);
        Instant takenAt = exchange.getProperty(MessagingProperties.TAKEN_AT, Instant.class);
        Instant taken = takenAt != null ? takenAt : clock.instant();
        Instant resumeBy = budget.resumeBy(taken, deadline);
        Instant consumerDoneBy = budget.consumerDoneBy(taken);
        StringBuilder earlier = new StringBuilder();
        while (true) {
            ChatContext chat = exchange.getMessage().getBody(ChatContext.class);
            thread.send("direct:chat", exchange);
            Exception failure = exchange.getException();
            if (failure != null
                    && (failure instanceof ClientGoneException
                            || Thread.currentThread().isInterrupted())) {
                stopping(exchange, chat); // the consumer was interrupted: Cortex is stopping
                return;
            }
            if (failure == null || !ChainVerdict.noAnswer(failure)) {
                return;
            }
            // the earliest known end of a refusal; none known (down, failing): waiting would be a guess
            Optional<Instant> retryAt = chat.trail().retryAt();
            if (retryAt.isEmpty()) {
                return; // the error reply lists every provider's reason
            }
            Instant now = clock.instant();
            Instant resumeAt =
                    retryAt.get().isAfter(now.plus(MIN_WAIT)) ? retryAt.get() : now.plus(MIN_WAIT); // never a busy loop
            if (resumeAt.isAfter(resumeBy)) {
                LOG.debug(
                        "Every provider refused ({}); no wait: the first cooldown ends at {}, after {}",
                        chat.trail(),
                        resumeAt,
                        resumeBy);
                return; // the error reply lists every provider's reason, and when to retry
            }
            Duration nextRound = budget.nextRound(chat.trail(), resumeAt);
            if (consumerDoneBy != null && resumeAt.plus(nextRound).isAfter(consumerDoneBy)) {
                LOG.debug(
                        "Every provider refused ({}); no wait: a next round of up to {} s from {} would outlast the"
                                + " consumer's poll interval",
                        chat.trail(),
                        nextRound.toSeconds(),
                        resumeAt);
                return;
            }
            Duration wait = Duration.between(now, resumeAt);
            LOG.debug(
                    "Every provider refused ({}); the request waits {} ms for the first cooldown to end",
                    chat.trail(),
                    wait.toMillis());
            if (!ConsumerThread.rest(wait.plusMillis(1))) {
                stopping(exchange, chat);
                return;
            }
            if (deadline != null && !clock.instant().isBefore(deadline)) {
                exchange.setException(DeadlineExceededException.whileWaiting(deadline));
                return;
            }
            earlier.append(chat.trail()).append(',');
            exchange.setProperty(MessagingProperties.EARLIER_ATTEMPTS, earlier.toString());
            exchange.setException(null);
            // a fresh trail for the new round, with the caller's strategy and providers as they asked, and its key's
            // policy, limit headers and reservation: the request was admitted once, for every round
            exchange.getMessage().setBody(chat.nextRound());
        }
    }

    /**
     * Leaves the request unanswered and unacknowledged for the broker to deliver again. The interrupt has done its
     * work (the provider call is abandoned); it is cleared so that the JMS rollback / Kafka clean-up that follows
     * is not itself cut short by it. The request ends here for its key's limits: what they reserved is released (the
     * delivery again is admitted anew), rather than kept as spent.
     */
    private static void stopping(Exchange exchange, ChatContext chat) {
        Thread.interrupted();
        chat.ended("gateway_stopping", null);
        exchange.setException(new GatewayStoppingException());
    }
}
