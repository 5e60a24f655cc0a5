package dev.cortex.chat;

import java.util.List;

/**
 * A chat request in the gateway's own terms: both front doors parse into it, every provider adapter translates
 * from it. Optional sampling fields are null when the caller did not set them, so adapters send only what was asked.
 *
 * @param model            the model the caller named (may be null: each provider then uses its default)
 * @param frequencyPenalty on OpenAI's scale (-2..2, 0 neutral)
 * @param presencePenalty  on OpenAI's scale (-2..2, 0 neutral)
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        boolean stream,
        boolean includeUsage,
        Double temperature,
        Double topP,
        Integer topK,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        Double frequencyPenalty,
        Double presencePenalty) {

    public ChatRequest {
        messages = List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
