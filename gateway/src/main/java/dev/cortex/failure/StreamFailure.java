package dev.cortex.failure;

/** A provider's stream went wrong after a 200: an error event, a chunk that is not what the protocol says, a cut. */
public final class StreamFailure extends RuntimeException {

    private final UpstreamError error;

    public StreamFailure(UpstreamError error) {
        super(error.label(), null, false, false);
        this.error = error;
    }

    public static StreamFailure malformed(String what) {
        return new StreamFailure(UpstreamError.of(UpstreamError.Kind.MALFORMED, what));
    }

    public static StreamFailure cut() {
        return new StreamFailure(UpstreamError.of(UpstreamError.Kind.CUT, "the stream ended before its end marker"));
    }

    public static StreamFailure inBand(String code, String message) {
        return new StreamFailure(
                new UpstreamError(UpstreamError.Kind.STREAM_ERROR, 0, code, null, UpstreamError.Quota.NONE, message));
    }

    public UpstreamError error() {
        return error;
    }
}
