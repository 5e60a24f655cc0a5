package dev.cortex.messaging;

import java.time.Instant;

/** The caller's deadline passed before a provider answered: the request is answered with an error (504). */
public final class DeadlineExceededException extends RuntimeException {

    private DeadlineExceededException(String message) {
        super(message, null, false, false);
    }

    /** The deadline had passed before any provider was asked: none was. */
    public static DeadlineExceededException unsent(Instant deadline) {
        return new DeadlineExceededException("The request's deadline (" + deadline
                + ") had passed when Cortex took it; it was not sent to any provider.");
    }

    /** The deadline passed while the request waited for a provider's cooldown to end. */
    public static DeadlineExceededException whileWaiting(Instant deadline) {
        return new DeadlineExceededException(
                "The request's deadline (" + deadline + ") passed while it waited for a provider's cooldown to end.");
    }
}
