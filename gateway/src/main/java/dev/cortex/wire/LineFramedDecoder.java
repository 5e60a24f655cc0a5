package dev.cortex.wire;

import dev.cortex.failure.StreamFailure;

/**
 * What the two line-based framings (SSE and NDJSON) share: bytes become lines ({@link LineSplitter}), a last line
 * without its newline still counts, and a body that ends before the provider's end marker is a cut stream.
 */
abstract class LineFramedDecoder implements StreamDecoder {

    private final LineSplitter lines = new LineSplitter(this::onLine);

    @Override
    public final void feed(byte[] bytes) {
        lines.feed(bytes);
    }

    @Override
    public final void end() {
        String tail = lines.remainder();
        if (tail != null) {
            onLine(tail);
        }
        bodyEnded();
        if (!endMarkerSeen()) {
            throw StreamFailure.cut();
        }
    }

    /** One line of the body, without its line break. */
    abstract void onLine(String line);

    /** The body ended: hand over whatever a frame still holds. */
    void bodyEnded() {}

    /** Whether the provider's end marker was seen. */
    abstract boolean endMarkerSeen();
}
