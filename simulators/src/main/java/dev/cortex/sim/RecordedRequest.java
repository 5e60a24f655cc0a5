package dev.cortex.sim;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request a simulator received, as it arrived.
 *
 * @param headers lower-case names
 * @param apiKey  the key as sent, or null
 */
public record RecordedRequest(
        String method,
        String path,
        String query,
        Map<String, String> headers,
        JsonNode body,
        String apiKey,
        boolean stream) {}
