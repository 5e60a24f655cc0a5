package dev.cortex.sim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A chat request as a wire read it: what the simulator needs, in no provider's terms.
 *
 * @param model        the model asked for, as the provider names it (Ollama: with its tag)
 * @param prompt       the last user message's text: what per-prompt knobs and counters key on
 * @param promptTokens words in every message, the system prompt included
 * @param maxTokens    the most tokens to generate, or null for no limit
 * @param stop         stop sequences, possibly none
 * @param asks         tools, tool results, structured output and images, as {@link AgentScript} plays them
 */
record ChatRequest(
        String model,
        boolean stream,
        String prompt,
        int promptTokens,
        Integer maxTokens,
        List<String> stop,
        JsonNode body,
        Asks asks) {

    /** A plain chat: no tools, text answers. */
    ChatRequest(
            String model,
            boolean stream,
            String prompt,
            int promptTokens,
            Integer maxTokens,
            List<String> stop,
            JsonNode body) {
        this(model, stream, prompt, promptTokens, maxTokens, stop, body, Asks.NONE);
    }
}
