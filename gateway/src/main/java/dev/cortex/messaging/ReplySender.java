package dev.cortex.messaging;

import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.ExchangeHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a reply that {@link MessagingReply} or {@link MessagingErrorReply} prepared to the request's reply address,
 * at most {@code cortex.messaging.reply-attempts} times, {@code reply-attempt-interval-ms} apart. When every attempt
 * failed it throws {@link ReplyUndeliverableException}: the route then dead-letters the request and acknowledges /
 * commits it, so that a reply with nowhere to go never has the request read again and the providers asked again.
 *
 * <p>One exception: over JMS, a temporary reply queue that no longer exists means its caller gave up and closed it.
 * Nobody waits for the answer, and nobody could re-send the request to a queue that cannot come back, so the
 * request simply ends there (logged), without a dead letter.
 */
public final class ReplySender implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ReplySender.class);

    private final Transport transport;
    private final String endpointUri;
    private final int attempts;
    private final Duration interval;
    private final ConsumerThread thread;

    /**
     * @param endpointUri the producer endpoint; the reply's own headers name the actual destination / topic
     */
    public ReplySender(CamelContext context, Transport transport, String endpointUri, int attempts, Duration interval) {
        if (attempts < 1) {
            throw new IllegalArgumentException("cortex.messaging.reply-attempts must be at least 1, not " + attempts);
        }
        this.thread = new ConsumerThread(context);
        this.transport = transport;
        this.endpointUri = endpointUri;
        this.attempts = attempts;
        this.interval = interval;
    }

    @Override
    public void process(Exchange exchange) {
        Exception last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            // a copy per attempt: a producer may consume addressing headers (Kafka's override topic) as it sends
            Exchange copy = ExchangeHelper.createCopy(exchange, true);
            thread.send(endpointUri, copy);
            Exception failure = copy.getException();
            if (failure == null) {
                return;
            }
            if (transport.callerGone(exchange, failure)) {
                LOG.warn(
                        "No one waits for the reply to {} request {}: its temporary reply queue no longer exists (the"
                                + " caller gave up). The request is done.",
                        transport,
                        exchange.getProperty(MessagingProperties.CORRELATION_ID));
                return;
            }
            last = failure;
            LOG.debug(
                    "Reply to {} request {} failed (attempt {} of {})",
                    transport,
                    exchange.getProperty(MessagingProperties.CORRELATION_ID),
                    attempt,
                    attempts,
                    failure);
            if (attempt < attempts && !ConsumerThread.rest(interval)) {
                throw new GatewayStoppingException(); // interrupted: Cortex is stopping
            }
        }
        throw new ReplyUndeliverableException(
                String.valueOf(exchange.getProperty(MessagingProperties.REPLY_TO)), attempts, last);
    }
}
