package dev.cortex.chat;

import java.util.List;

/**
 * A complete answer: what a non-streaming caller receives.
 *
 * @param toolCalls  the tools the model called, possibly none
 * @param embeddings the vectors of an embedding request, one per input in order; empty for a chat
 */
public record ChatResult(
        String text,
        FinishReason finishReason,
        Usage usage,
        String provider,
        String model,
        List<ToolCall> toolCalls,
        List<float[]> embeddings) {

    public ChatResult {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        embeddings = embeddings == null ? List.of() : List.copyOf(embeddings);
    }

    public ChatResult(String text, FinishReason finishReason, Usage usage, String provider, String model) {
        this(text, finishReason, usage, provider, model, List.of(), List.of());
    }
}
