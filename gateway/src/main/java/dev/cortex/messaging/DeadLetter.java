package dev.cortex.messaging;

import java.time.Clock;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Turns a request that can never be served as sent into its dead letter: the request body exactly as it came, with
 * the reason ({@code CortexError}), the status and code its error reply carried, when it was set aside, and where
 * its reply was to go, so an operator can read, fix and re-send it. A JMS message of a kind Cortex does not read (an
 * ObjectMessage, say) leaves an empty body: its own was never read, so that nothing in it was deserialized.
 */
public final class DeadLetter implements Processor {

    private final Transport transport;
    private final Clock clock;

    public DeadLetter(Transport transport, Clock clock) {
        this.transport = transport;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        MessagingFailure.Failure failure =
                exchange.getProperty(MessagingProperties.FAILURE, MessagingFailure.Failure.class);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(MessagingHeaders.ERROR, failure.deadLetter());
        out.setHeader(MessagingHeaders.STATUS, Integer.toString(failure.status()));
        out.setHeader(MessagingHeaders.ERROR_CODE, failure.code());
        out.setHeader(MessagingHeaders.FAILED_AT, clock.instant().toString());
        copy(exchange, MessagingProperties.REPLY_TO, out, MessagingHeaders.REPLY_TO);
        copy(exchange, MessagingProperties.CORRELATION_ID, out, MessagingHeaders.CORRELATION_ID);
        if (transport == Transport.KAFKA) {
            copy(exchange, MessagingProperties.KEY, out, KafkaConstants.KEY);
        }
        Object request = exchange.getProperty(MessagingProperties.REQUEST);
        out.setBody(request == null ? new byte[0] : request);
    }

    private static void copy(Exchange exchange, String property, Message out, String header) {
        Object value = exchange.getProperty(property);
        if (value != null) {
            out.setHeader(header, value.toString());
        }
    }
}
