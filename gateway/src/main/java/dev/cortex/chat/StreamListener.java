package dev.cortex.chat;

import java.util.List;

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

    /**
     * A piece of a tool call, OpenAI's way: the first piece of call {@code index} carries its id and name, later ones
     * (id and name null) a fragment of its arguments' JSON text. A wire that sends a call whole calls this once per
     * call, with all of its arguments.
     */
    void onToolCall(int index, String id, String name, String argumentsFragment);

    /** The vectors of an embedding request, one per input, in order. */
    default void onEmbeddings(List<float[]> vectors) {}
}
