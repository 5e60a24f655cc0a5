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
    /**
     * The caller's gateway key, as it would send it in {@code Authorization: Bearer <key>} over HTTP: the request is
     * served under the key's policy and held to its limits. A key Cortex does not know (or one revoked) is answered
     * 401 and dead-lettered. Without one the request runs unrestricted, unless
     * {@code cortex.messaging.keys-required} is true (then 401). Never copied onto a reply or a dead letter, never
     * logged.
     */
    public static final String API_KEY = "CortexApiKey";

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
    /**
     * On an error reply: seconds until a retry may succeed — when every provider is cooling down, when the key is
     * over a per-minute limit (not over a budget), or 1 when the limit store cannot be reached.
     */
    public static final String RETRY_AFTER = "CortexRetryAfter";
    /** On a dead letter: why the request cannot be served. */
    public static final String ERROR = "CortexError";
    /** On a dead letter: when it was set aside (ISO-8601). */
    public static final String FAILED_AT = "CortexFailedAt";

    /**
     * On a reply (answer or 429) to a request under a key with per-minute limits, the HTTP {@code x-ratelimit-*}
     * headers as property names JMS allows (no dashes): {@code CortexRateLimitLimitRequests},
     * {@code CortexRateLimitRemainingRequests}, {@code CortexRateLimitResetRequests},
     * {@code CortexRateLimitLimitTokens}, {@code CortexRateLimitRemainingTokens},
     * {@code CortexRateLimitResetTokens}; values as over HTTP (a reset reads {@code 1s}, {@code 6m0s}, {@code 20ms}).
     */
    public static String rateLimit(String header) {
        String rest = header.substring(header.indexOf("ratelimit-") + "ratelimit-".length());
        StringBuilder name = new StringBuilder("CortexRateLimit");
        for (String word : rest.split("-")) {
            if (!word.isEmpty()) {
                name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return name.toString();
    }

    private MessagingHeaders() {}
}
