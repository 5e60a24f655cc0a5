package dev.cortex.provider;

import dev.cortex.failure.UpstreamError;

/** An upstream call failed before its commit point: the provider may still hand over to the next one. */
final class UpstreamFailedException extends RuntimeException {

    private final UpstreamError error;

    UpstreamFailedException(UpstreamError error) {
        super(error.label(), null, false, false);
        this.error = error;
    }

    UpstreamError error() {
        return error;
    }
}
