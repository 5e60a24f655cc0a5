package dev.cortex.wire;

import java.io.IOException;
import java.util.ArrayList;
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

    /** One SSE event's data as JSON; anything else is a malformed stream. */
    static JsonNode event(String data) {
        try {
            return Json.parse(data);
        } catch (IOException e) {
            throw StreamFailure.malformed("a stream event is not JSON");
        }
    }

    /** The start every role-and-content chat body shares (OpenAI, Cohere v2): model, messages, streaming. */
    static ObjectNode streamingChat(String model, List<ChatMessage> messages) {
        ObjectNode body = Json.object();
        body.put("model", model);
        putMessages(body, messages);
        body.put("stream", true);
        return body;
    }

    static void putMessages(ObjectNode body, List<ChatMessage> messages) {
        body.set("messages", OpenAiShapes.messages(messages));
    }

    /**
     * An array of vectors ({@code [[0.1, ...], ...]}), as Ollama's and Cohere's embedding answers hold them; anything
     * else is a malformed answer.
     */
    static List<float[]> vectors(JsonNode arrays) {
        if (!arrays.isArray()) {
            throw StreamFailure.malformed("the answer holds no embeddings");
        }
        List<float[]> out = new ArrayList<>(arrays.size());
        for (JsonNode a : arrays) {
            out.add(vector(a));
        }
        return out;
    }

    /** One vector ({@code [0.1, ...]}). */
    static float[] vector(JsonNode values) {
        if (!values.isArray() || values.isEmpty()) {
            throw StreamFailure.malformed("an embedding is not an array of numbers");
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = values.get(i);
            if (!x.isNumber()) {
                throw StreamFailure.malformed("an embedding is not an array of numbers");
            }
            v[i] = x.floatValue();
        }
        return v;
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
