package dev.cortex.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.provider.ClientGoneException;
import dev.cortex.routing.AttemptTrail;
import dev.cortex.routing.ChatContext;
import dev.cortex.routing.ProviderFailure;

/**
 * Sends a queued request down the chain ({@code direct:chat}), as the HTTP front door does, with one difference a
 * queue allows: when every provider refused and at least one of them is cooling down with a known end (rate limit,
 * quota), the request waits for the earliest cooldown to end and the chain is asked again, rather than failing at
 * once. It waits at most {@code cortex.messaging.max-cooldown-wait-seconds} in all, never past the caller's
 * deadline. Any other failure is left on the exchange for the route's error handling.
 *
 * <p>The wait holds the consumer (and the unacknowledged request) the way a slow provider would: while every
 * provider is cooling down, the requests behind it could not be answered either.
 */
public final class MessagingChat implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(MessagingChat.class);
    private static final Duration MIN_WAIT = Duration.ofMillis(200);

    private final CamelContext context;
    private final Duration maxWait;
    private final Clock clock;
    private volatile ProducerTemplate template;

    public MessagingChat(CamelContext context, Duration maxWait, Clock clock) {
        this.context = context;
        this.maxWait = maxWait;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Instant deadline = exchange.getProperty(MessagingProperties.DEADLINE, Instant.class);
        Instant giveUpAt = clock.instant().plus(maxWait);
        if (deadline != null && deadline.isBefore(giveUpAt)) {
            giveUpAt = deadline;
        }
        StringBuilder earlier = new StringBuilder();
        while (true) {
            ChatContext chat = exchange.getMessage().getBody(ChatContext.class);
            template().send("direct:chat", exchange);
            Exception failure = exchange.getException();
            if (failure != null && (failure instanceof ClientGoneException || Thread.currentThread().isInterrupted())) {
                stopping(exchange); // the consumer was interrupted: Cortex is stopping
                return;
            }
            if (failure == null || !everyProviderRefused(failure)) {
                return;
            }
            Optional<Instant> retryAt = earliestCooldownEnd(chat.trail());
            if (retryAt.isEmpty() || retryAt.get().isAfter(giveUpAt)) {
                return; // the error reply lists every provider's reason (and when to retry, if known)
            }
            Duration wait = Duration.between(clock.instant(), retryAt.get());
            if (wait.compareTo(MIN_WAIT) < 0) {
                wait = MIN_WAIT; // never a busy loop of calls
            }
            LOG.debug("Every provider refused ({}); the request waits {} ms for the first cooldown to end", chat.trail(),
                    wait.toMillis());
            if (!sleep(wait)) {
                stopping(exchange);
                return;
            }
            if (deadline != null && !clock.instant().isBefore(deadline)) {
                exchange.setException(DeadlineExceededException.whileWaiting(deadline));
                return;
            }
            earlier.append(chat.trail()).append(',');
            exchange.setProperty(MessagingProperties.EARLIER_ATTEMPTS, earlier.toString());
            exchange.setException(null);
            // a fresh trail for the new round, with the caller's strategy and providers as they asked
            exchange.getMessage().setBody(new ChatContext(chat.request(), null, chat.preference()));
        }
    }

    /**
     * When the first provider that is cooling down may answer again; empty when none of them said (they are down,
     * or their breaker is open): then waiting would be a guess, and the caller gets the error at once.
     */
    static Optional<Instant> earliestCooldownEnd(AttemptTrail trail) {
        return trail.entries().stream().map(AttemptTrail.Entry::retryAt).filter(Objects::nonNull).min(Instant::compareTo);
    }

    /** The whole chain refused (as opposed to the request being refused, or a bug). */
    static boolean everyProviderRefused(Throwable failure) {
        return failure instanceof ProviderFailure || failure instanceof CallNotPermittedException
                || failure instanceof BulkheadFullException;
    }

    /**
     * Leaves the request unanswered and unacknowledged for the broker to deliver again. The interrupt has done its
     * work (the provider call is abandoned); it is cleared so that the JMS rollback / Kafka clean-up that follows
     * is not itself cut short by it.
     */
    private static void stopping(Exchange exchange) {
        Thread.interrupted();
        exchange.setException(new GatewayStoppingException());
    }

    /** False when interrupted. */
    private static boolean sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis() + 1);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                t = template;
                if (t == null) {
                    t = context.createProducerTemplate();
                    template = t;
                }
            }
        }
        return t;
    }
}
