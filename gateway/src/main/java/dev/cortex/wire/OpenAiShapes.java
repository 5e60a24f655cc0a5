package dev.cortex.wire;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.Json;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolSpec;

/**
 * The parts of a chat body that OpenAI's shape gave the industry and several wires share as they are: the message
 * list (content parts for images, assistant {@code tool_calls}, tool turns with {@code tool_call_id}) for Groq and
 * Cohere v2, and the tool list ({@code [{"type":"function","function":{..}}]}) for those and Ollama.
 */
final class OpenAiShapes {

    private OpenAiShapes() {}

    static ArrayNode messages(List<ChatMessage> messages) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ChatMessage m : messages) {
            ObjectNode turn = out.addObject();
            turn.put("role", m.role());
            if (!m.images().isEmpty()) {
                ArrayNode parts = turn.putArray("content");
                if (!m.content().isEmpty()) {
                    parts.addObject().put("type", "text").put("text", m.content());
                }
                for (ImageInput image : m.images()) {
                    parts.addObject()
                            .put("type", "image_url")
                            .putObject("image_url")
                            .put("url", image.dataUrl());
                }
            } else if (!m.content().isEmpty() || m.toolCalls().isEmpty()) {
                turn.put("content", m.content());
            }
            if (!m.toolCalls().isEmpty()) {
                turn.set("tool_calls", toolCalls(m.toolCalls()));
            }
            if (m.toolCallId() != null) {
                turn.put("tool_call_id", m.toolCallId());
            }
        }
        return out;
    }

    static ArrayNode toolCalls(List<ToolCall> calls) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ToolCall call : calls) {
            ObjectNode c = out.addObject();
            c.put("id", call.id());
            c.put("type", "function");
            c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        }
        return out;
    }

    /** {@code [{"type":"function","function":{"name","description","parameters"}}]}; {@code strict} where set. */
    static ArrayNode tools(List<ToolSpec> tools) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ToolSpec tool : tools) {
            ObjectNode function = out.addObject().put("type", "function").putObject("function");
            function.put("name", tool.name());
            if (tool.description() != null) {
                function.put("description", tool.description());
            }
            if (tool.parameters() != null) {
                function.set("parameters", tool.parameters());
            }
            if (tool.strict() != null) {
                function.put("strict", tool.strict());
            }
        }
        return out;
    }
}
