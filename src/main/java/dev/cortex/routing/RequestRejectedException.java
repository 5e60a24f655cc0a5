package dev.cortex.routing;

/**
 * A provider refused the request itself (400/413/422): it would fail everywhere, so the chain stops and the caller
 * gets the provider's status and (scrubbed) message.
 */
public final class RequestRejectedException extends RuntimeException {

    private final String provider;
    private final int status;

    public RequestRejectedException(String provider, int status, String message) {
        super(ApiKeys.scrub(message), null, false, false);
        this.provider = provider;
        this.status = status;
    }

    public String provider() {
        return provider;
    }

    public int status() {
        return status;
    }
}
