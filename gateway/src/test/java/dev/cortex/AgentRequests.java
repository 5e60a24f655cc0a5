package dev.cortex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;

/** Agents' requests as the front doors hand them to an adapter, for the wire tests: streamed, no sampling settings. */
public final class AgentRequests {

    private AgentRequests() {}

    public static ChatRequest streaming(
            String model, List<ChatMessage> messages, List<ToolSpec> tools, ToolChoice choice, ResponseFormat format) {
        return new ChatRequest(
                model, messages, true, false, null, null, null, null, List.of(), null, null, null, tools, choice, null,
                format);
    }

    /** JSON written in a test (a schema, a tool's parameters). */
    public static JsonNode json(String text) {
        try {
            return Json.parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
