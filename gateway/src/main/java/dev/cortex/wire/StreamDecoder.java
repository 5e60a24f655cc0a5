package dev.cortex.wire;

/**
 * Turns one provider's response stream, as bytes arrive, into {@link dev.cortex.chat.StreamListener} calls. One
 * instance per response; called from one thread at a time.
 */
public interface StreamDecoder {

    /** More bytes of the body. Throws {@link StreamFailure} for an in-band error or a malformed chunk. */
    void feed(byte[] bytes);

    /** The body ended. Throws {@link StreamFailure} when the provider's end marker never came (a cut stream). */
    void end();
}
