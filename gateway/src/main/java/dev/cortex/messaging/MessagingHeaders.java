package dev.cortex.messaging;

/**
 * The message properties (JMS) and record headers (Kafka) of the messaging front doors. They mirror the HTTP
 * {@code X-Cortex-*} headers without the prefix and the dashes, which JMS property names cannot contain. Values
 * are strings on both transports, so a {@code kafka-console-consumer} shows them as they are.
 */
public final class MessagingHeaders {

    // --- on a request ---

    /** Kafka: the topic to send the reply to (JMS uses the message's own {@code JMSReplyTo}). */
    public static final String REPLY_TO = "CortexReplyTo";
    /** Kafka: the caller's id for this request, copied onto the reply (JMS uses {@code JMSCorrelationID}). */
    public static final String CORRELATION_ID = "CortexCorrelationId";
    /**
     * The moment after which the caller no longer wants an answer: epoch milliseconds or an ISO-8601 instant. A
     * request found past it is not sent to any provider. Over JMS, {@code JMSExpiration} counts too.
     */
    public static final String DEADLINE = "CortexDeadline";

    // --- on a reply (and on a dead letter) ---

    /** 200 for an answer; otherwise the status the HTTP front door would have answered with. */
    public static final String STATUS = "CortexStatus";

    public static final String PROVIDER = "CortexProvider";
    public static final String MODEL = "CortexModel";
    /** The attempt trail, e.g. {@code groq:429,ollama:ok}, as in {@code X-Cortex-Attempts}. */
    public static final String ATTEMPTS = "CortexAttempts";

    public static final String OVERHEAD_MS = "CortexOverheadMs";
    /** On an error: its code, as in the body's {@code error.code} ({@code all_providers_failed}, ...). */
    public static final String ERROR_CODE = "CortexErrorCode";
    /** On an error reply when every provider is cooling down: seconds until one of them may answer again. */
    public static final String RETRY_AFTER = "CortexRetryAfter";
    /** On a dead letter: why the request cannot be served. */
    public static final String ERROR = "CortexError";
    /** On a dead letter: when it was set aside (ISO-8601). */
    public static final String FAILED_AT = "CortexFailedAt";

    private MessagingHeaders() {}
}
