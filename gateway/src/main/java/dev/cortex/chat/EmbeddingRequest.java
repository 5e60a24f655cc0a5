package dev.cortex.chat;

import java.util.List;

/**
 * A request for vectors ({@code /v1/embeddings}, Ollama's {@code /api/embed}).
 *
 * @param model      an embedding model or a configured embedding family, as the caller named it; null for the
 *                   default family
 * @param inputs     the texts, one vector each, in order
 * @param dimensions the vector length asked for (models that can shorten their vectors), or null
 * @param inputType  what the texts are for, where a model embeds differently by purpose (Cohere's
 *                   {@code input_type}: {@code search_document}, {@code search_query}, ...); null for documents
 */
public record EmbeddingRequest(String model, List<String> inputs, Integer dimensions, String inputType) {

    public EmbeddingRequest {
        inputs = List.copyOf(inputs);
    }

    /** The request as the chain's common currency: its texts as user turns, for token estimates and accounting. */
    public ChatRequest asChat() {
        return new ChatRequest(
                model,
                inputs.stream().map(text -> new ChatMessage("user", text)).toList(),
                false,
                false,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                null,
                null);
    }
}
