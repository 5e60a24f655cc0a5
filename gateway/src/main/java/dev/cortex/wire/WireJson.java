package dev.cortex.wire;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.Json;
import dev.cortex.failure.StreamFailure;

/** Small JSON-building steps that several providers' wire formats share. */
final class WireJson {

    private WireJson() {}

    /** {@code [{"role":..,"content":..}]}, the message list of OpenAI-shaped APIs (Groq, Cohere v2, Ollama). */
    /** One SSE event's data as JSON; anything else is a malformed stream. */
    static JsonNode event(String data) {
        try {
            return Json.parse(data);
        } catch (IOException e) {
            throw StreamFailure.malformed("a stream event is not JSON");
        }
    }

    /** The start every role-and-content chat body shares (OpenAI, Cohere v2, Ollama): model, messages, streaming. */
    static ObjectNode streamingChat(String model, List<ChatMessage> messages) {
        ObjectNode body = Json.object();
        body.put("model", model);
        putMessages(body, messages);
        body.put("stream", true);
        return body;
    }

    static void putMessages(ObjectNode body, List<ChatMessage> messages) {
        ArrayNode out = body.putArray("messages");
        for (ChatMessage m : messages) {
            out.addObject().put("role", m.role()).put("content", m.content());
        }
    }

    /** An error body as JSON, or a missing node when the provider sent something else (an HTML page, nothing). */
    static JsonNode errorBody(String body) {
        try {
            return Json.parse(body);
        } catch (IOException | RuntimeException notJson) {
            return MissingNode.getInstance();
        }
    }

    /** The text at {@code pointer} of an error body, else the raw body: what a provider said, one way or another. */
    static String errorMessage(JsonNode parsed, String pointer, String raw) {
        JsonNode v = parsed.at(pointer);
        return v.isTextual() ? v.asText() : raw;
    }

    static void putIfSet(ObjectNode node, String field, Double value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    static void putIfSet(ObjectNode node, String field, Integer value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    static void putIfSet(ObjectNode node, String field, Long value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    static void putIfSet(ObjectNode node, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }
}
