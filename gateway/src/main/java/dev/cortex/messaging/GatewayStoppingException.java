package dev.cortex.messaging;

/**
 * A queued request was interrupted because Cortex is stopping. It is neither answered nor acknowledged: the broker
 * delivers it again, to another instance or to this one once it is back.
 */
public final class GatewayStoppingException extends RuntimeException {

    public GatewayStoppingException() {
        super(
                "Cortex is stopping: the request is left unacknowledged for the broker to deliver again",
                null,
                false,
                false);
    }
}
