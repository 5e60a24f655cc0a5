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

    public static UpstreamRequest get(String path, Map<String, String> headers) {
        return new UpstreamRequest("GET", path, headers, null);
    }
}
