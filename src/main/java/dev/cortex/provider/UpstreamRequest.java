package dev.cortex.provider;

import java.util.Map;

/**
 * One HTTP call to a provider: a POST of a JSON body to a path below the provider's base URL.
 *
 * @param path    appended to the base URL as is (may carry a query, e.g. Gemini's {@code ?alt=sse})
 * @param headers auth and content headers; values may hold a key, so never log them
 */
public record UpstreamRequest(String path, Map<String, String> headers, byte[] body) {
}
