package dev.cortex.wire;

import java.util.Map;

/**
 * One HTTP call to a provider, below its base URL.
 *
 * @param method  POST for chat, GET for model lists
 * @param path    appended to the base URL as is (may carry a query, e.g. Gemini's {@code ?alt=sse})
 * @param headers auth and content headers; values may hold a key, so never log them
 * @param body    the JSON body, or null
 */
public record UpstreamRequest(String method, String path, Map<String, String> headers, byte[] body) {

    public static UpstreamRequest post(String path, Map<String, String> headers, byte[] body) {
        return new UpstreamRequest("POST", path, headers, body);
    }

    /** The header of a Bearer-key API (OpenAI's kind, Cohere). */
    static Map<String, String> bearer(String apiKey) {
        return Map.of("Authorization", "Bearer " + apiKey);
    }

    /** The headers of a JSON request to a Bearer-key API whose answer streams as SSE. */
    static Map<String, String> bearerStream(String apiKey) {
        return Map.of(
                "Authorization", "Bearer " + apiKey, "Content-Type", "application/json", "Accept", "text/event-stream");
    }

    /** The headers of a JSON request to a Bearer-key API whose answer is one JSON body (Cohere's embeddings). */
    static Map<String, String> bearerJson(String apiKey) {
        return Map.of(
                "Authorization", "Bearer " + apiKey, "Content-Type", "application/json", "Accept", "application/json");
    }

    public static UpstreamRequest get(String path, Map<String, String> headers) {
        return new UpstreamRequest("GET", path, headers, null);
    }
}
