package dev.cortex.wire;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
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

    /** {@code "auto"|"none"|"required"} or {@code {"type":"function","function":{"name":..}}}. */
    static JsonNode toolChoice(ToolChoice choice) {
        return switch (choice.mode()) {
            case AUTO -> TextNode.valueOf("auto");
            case NONE -> TextNode.valueOf("none");
            case REQUIRED -> TextNode.valueOf("required");
            case FUNCTION -> {
                ObjectNode named = Json.object().put("type", "function");
                named.putObject("function").put("name", choice.function());
                yield named;
            }
        };
    }

    /**
     * {@code {"type":"json_object"}} or {@code {"type":"json_schema","json_schema":{name,schema,strict}}}; null for
     * plain text (nothing to send).
     */
    static ObjectNode responseFormat(ResponseFormat format) {
        return switch (format.kind()) {
            case TEXT -> null;
            case JSON_OBJECT -> Json.object().put("type", "json_object");
            case JSON_SCHEMA -> {
                ObjectNode out = Json.object().put("type", "json_schema");
                ObjectNode schema = out.putObject("json_schema");
                schema.put("name", format.name() == null ? "answer" : format.name());
                schema.set("schema", format.schema());
                if (format.strict() != null) {
                    schema.put("strict", format.strict());
                }
                yield out;
            }
        };
    }
}
