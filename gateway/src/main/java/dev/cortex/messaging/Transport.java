package dev.cortex.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import jakarta.jms.BytesMessage;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.jms.JmsConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

import dev.cortex.failure.BadRequestException;

/**
 * What differs between the two messaging front doors: where a request names its reply address, correlation id and
 * deadline, and how a reply is addressed. Over JMS the message's own {@code JMSReplyTo} and {@code JMSCorrelationID}
 * serve; Kafka has no request-reply, so the request carries them in headers. Either way the route sends the reply
 * itself, so that a reply that cannot be delivered is a failure the route decides about.
 */
public enum Transport {
    JMS("JMS") {
        /**
         * The route receives the JMS message itself ({@code mapJmsMessage=false}): Camel would otherwise map an
         * ObjectMessage's body by deserializing it, running code of the sender's choosing before any check.
         */
        @Override
        Object requestBody(Message in) throws JMSException {
            Object body = in.getBody();
            if (body instanceof TextMessage text) {
                return text.getText();
            }
            if (body instanceof BytesMessage bytes) {
                return bytes.getBody(byte[].class);
            }
            if (body instanceof jakarta.jms.Message other) {
                throw new BadRequestException(
                        null,
                        "The request is a JMS " + kind(other) + ": Cortex reads JSON text"
                                + " from a TextMessage or BytesMessage only, and never deserializes a Java object. Its body was"
                                + " not read.");
            }
            return body;
        }

        @Override
        String replyTo(Message in) {
            Object destination = in.getHeader("JMSReplyTo");
            return destination == null ? null : destination.toString();
        }

        @Override
        String correlationId(Message in) {
            String id = text(in.getHeader("JMSCorrelationID"));
            return id != null ? id : text(in.getHeader("JMSMessageID"));
        }

        @Override
        String invalidReplyTo(String replyTo) {
            return null; // a JMSReplyTo is a destination object the client created
        }

        @Override
        Instant expiry(Message in) {
            Long expiration = in.getHeader("JMSExpiration", Long.class);
            return expiration == null || expiration <= 0 ? null : Instant.ofEpochMilli(expiration);
        }

        @Override
        void prepare(Exchange exchange) {
            exchange.setProperty(REPLY_DESTINATION, exchange.getMessage().getHeader("JMSReplyTo"));
        }

        @Override
        void address(Exchange exchange, Message out) {
            out.setHeader(
                    JmsConstants.JMS_DESTINATION, exchange.getProperty(REPLY_DESTINATION)); // the JMSReplyTo itself
            Object correlationId = exchange.getProperty(MessagingProperties.CORRELATION_ID);
            if (correlationId != null) {
                out.setHeader("JMSCorrelationID", correlationId);
            }
        }

        @Override
        Object body(byte[] json) {
            return new String(json, StandardCharsets.UTF_8); // a TextMessage: what JMS tools show and send
        }

        @Override
        boolean callerGone(Exchange exchange, Exception failure) {
            Object destination = exchange.getProperty(REPLY_DESTINATION);
            if (!(destination instanceof TemporaryQueue || destination instanceof TemporaryTopic)) {
                return false; // a named destination may be created again: the request is kept, as a dead letter
            }
            for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof InvalidDestinationException
                        || t instanceof org.springframework.jms.InvalidDestinationException) {
                    return true;
                }
            }
            return false;
        }
    },

    KAFKA("Kafka") {
        @Override
        Object requestBody(Message in) {
            return in.getBody(); // the record's value as bytes (ByteArrayDeserializer)
        }

        @Override
        String replyTo(Message in) {
            return text(in.getHeader(MessagingHeaders.REPLY_TO));
        }

        @Override
        String correlationId(Message in) {
            return text(in.getHeader(MessagingHeaders.CORRELATION_ID));
        }

        @Override
        String invalidReplyTo(String replyTo) {
            try {
                Topic.validate(replyTo);
                return null;
            } catch (InvalidTopicException e) {
                return "The " + MessagingHeaders.REPLY_TO + " header does not name a valid Kafka topic: "
                        + e.getMessage();
            }
        }

        @Override
        Instant expiry(Message in) {
            return null;
        }

        @Override
        void prepare(Exchange exchange) {
            Message in = exchange.getMessage();
            exchange.setProperty(MessagingProperties.COMMIT, in.getHeader(KafkaConstants.MANUAL_COMMIT));
            exchange.setProperty(MessagingProperties.KEY, in.getHeader(KafkaConstants.KEY));
        }

        @Override
        void address(Exchange exchange, Message out) {
            out.setHeader(KafkaConstants.OVERRIDE_TOPIC, exchange.getProperty(MessagingProperties.REPLY_TO));
            copy(exchange, MessagingProperties.KEY, out, KafkaConstants.KEY);
            copy(exchange, MessagingProperties.CORRELATION_ID, out, MessagingHeaders.CORRELATION_ID);
        }

        @Override
        Object body(byte[] json) {
            return json;
        }

        @Override
        boolean callerGone(Exchange exchange, Exception failure) {
            return false; // a topic outlives its readers
        }
    };

    /** JMS: the request's JMSReplyTo destination object (a temporary queue has no name to look it up by). */
    private static final String REPLY_DESTINATION = "CortexJmsReplyTo";

    private final String label;

    Transport(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * The request body as it came, as text or bytes, read only if it is one of the kinds Cortex accepts; a message of
     * another kind fails with {@link BadRequestException}, its body unread.
     */
    abstract Object requestBody(Message in) throws Exception;

    /** The reply address the request names, or null. */
    abstract String replyTo(Message in);

    /** Why replies cannot be sent to this address, or null when they can. */
    abstract String invalidReplyTo(String replyTo);

    /** The caller's id for this request, or null. */
    abstract String correlationId(Message in);

    /** The transport's own expiry of the request, if it has one. */
    abstract Instant expiry(Message in);

    /** Keeps what the transport needs after the chain (the request's headers do not survive it). */
    abstract void prepare(Exchange exchange);

    /** Addresses a reply (or a dead letter's correlation) as this transport needs. */
    abstract void address(Exchange exchange, Message out);

    /** A JSON reply body in the form this transport sends best. */
    abstract Object body(byte[] json);

    /**
     * Whether a failed reply failed because its caller is gone for good (a JMS temporary queue deleted when the
     * caller's connection closed): then nobody waits for it, and the request ends without a dead letter.
     */
    abstract boolean callerGone(Exchange exchange, Exception failure);

    /** A header value as text: Kafka headers arrive as bytes (UTF-8), JMS properties as strings or numbers. */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        String s = value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
        s = s.trim();
        return s.isEmpty() ? null : s;
    }

    private static String kind(jakarta.jms.Message message) {
        if (message instanceof ObjectMessage) {
            return "ObjectMessage";
        }
        if (message instanceof MapMessage) {
            return "MapMessage";
        }
        if (message instanceof StreamMessage) {
            return "StreamMessage";
        }
        return "Message without a body";
    }

    private static void copy(Exchange exchange, String property, Message out, String header) {
        Object value = exchange.getProperty(property);
        if (value != null) {
            out.setHeader(header, value);
        }
    }
}
