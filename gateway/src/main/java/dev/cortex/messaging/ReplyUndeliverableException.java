package dev.cortex.messaging;

/**
 * A reply (an answer or an error reply) could not be delivered to the request's reply address in the attempts
 * allowed. The request goes to the dead-letter queue / topic with this reason and is acknowledged / committed:
 * reading it again would only ask the providers again for a reply that has nowhere to go.
 */
public final class ReplyUndeliverableException extends RuntimeException {

    public ReplyUndeliverableException(String replyTo, int attempts, Throwable cause) {
        super(
                "The reply could not be delivered to " + replyTo + " (" + attempts
                        + (attempts == 1 ? " attempt" : " attempts") + "): " + reason(cause),
                cause,
                false,
                false);
    }

    /** The innermost message: a Kafka send fails as an ExecutionException around the producer's own error. */
    private static String reason(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getName() : message;
    }
}
