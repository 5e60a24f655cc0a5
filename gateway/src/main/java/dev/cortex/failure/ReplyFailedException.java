package dev.cortex.failure;

/**
 * A provider answered, but the caller's reply could not be started: its head failed to go out. It is Cortex's (or
 * the caller's connection's) failure, never the provider's, and no other provider would fare better: the request
 * ends here with an error, and the provider's breaker does not count it.
 */
public final class ReplyFailedException extends RuntimeException {

    public ReplyFailedException(Throwable cause) {
        super("the reply's head could not be written: " + cause, cause);
    }
}
