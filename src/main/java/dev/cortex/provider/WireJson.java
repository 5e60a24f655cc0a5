package dev.cortex.provider;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatMessage;

/** Small JSON-building steps that several providers' wire formats share. */
final class WireJson {

    private WireJson() {
    }

    /** {@code [{"role":..,"content":..}]}, the message list of OpenAI-shaped APIs (Groq, Cohere v2, Ollama). */
    static void putMessages(ObjectNode body, List<ChatMessage> messages) {
        ArrayNode out = body.putArray("messages");
        for (ChatMessage m : messages) {
            out.addObject().put("role", m.role()).put("content", m.content());
        }
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
