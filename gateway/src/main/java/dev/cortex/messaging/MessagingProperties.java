package dev.cortex.messaging;

/** Exchange properties the messaging steps hand to each other (never sent on the wire). */
public final class MessagingProperties {

    /**
     * The request body exactly as it came (String or byte[]), for the dead-letter queue; null when it was not read (a
     * JMS message of a kind Cortex does not accept, such as an ObjectMessage).
     */
    public static final String REQUEST = "CortexRequest";
    /** Where the reply goes: the Kafka reply topic, or the JMS reply destination's name. Null when none was named. */
    public static final String REPLY_TO = "CortexReplyTo";

    public static final String CORRELATION_ID = "CortexCorrelationId";
    /** Kafka: the request record's key, reused for its reply and dead letter. */
    public static final String KEY = "CortexKey";
    /** When Cortex took the request from its queue / topic: a waiting request's budget counts from here. */
    public static final String TAKEN_AT = "CortexTakenAt";
    /** The caller's deadline as an {@code Instant}, when it named one. */
    public static final String DEADLINE = "CortexDeadline";
    /** Kafka: the handle that commits the request's offset, used once its reply is sent. */
    public static final String COMMIT = "CortexCommit";
    /** The attempt trails of earlier rounds, when the request waited for a cooldown and was asked again. */
    public static final String EARLIER_ATTEMPTS = "CortexEarlierAttempts";
    /** What went wrong, as a {@link MessagingFailure.Failure}. */
    public static final String FAILURE = "CortexFailure";
    /** Whether an error reply goes out: the request named a reply address, and no reply to it has failed already. */
    public static final String ERROR_REPLY = "CortexErrorReply";
    /** Set (to the reason) when the request can never be served as sent and belongs in the dead-letter queue. */
    public static final String DEAD_LETTER = "CortexDeadLetter";

    private MessagingProperties() {}
}
