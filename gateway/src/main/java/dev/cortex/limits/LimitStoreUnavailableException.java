package dev.cortex.limits;

/**
 * The shared limit store cannot be reached and is configured to refuse rather than guess
 * ({@link RedisLimitStore.WhenUnreachable#REFUSE}), or what was asked (the usage accounts) lives only there: the front
 * door answers 503.
 */
public final class LimitStoreUnavailableException extends RuntimeException {

    public LimitStoreUnavailableException(String message) {
        super(message, null, false, false); // no stack trace: it is an answer, not a bug
    }
}
