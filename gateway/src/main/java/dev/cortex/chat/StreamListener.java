package dev.cortex.chat;

/**
 * Receives an answer as it is decoded from a provider's stream. Provider decoders call it; the gateway's attempt
 * logic implements it. Calls arrive on one thread at a time, in stream order.
 */
public interface StreamListener {

    /** A fragment of the answer's text (never empty). */
    void onText(String text);

    /** The provider said why the answer ended. */
    void onFinish(FinishReason reason);

    /** The provider reported token counts (may be called more than once; the last wins). */
    void onUsage(Usage usage);

    /** The provider named the model that actually served the request. */
    default void onModel(String model) {}
}
