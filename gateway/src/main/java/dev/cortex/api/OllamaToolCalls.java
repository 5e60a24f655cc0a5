package dev.cortex.api;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.Json;
import dev.cortex.chat.ToolCall;

/**
 * Tool calls on the Ollama door: {@code [{"function":{"name":..,"arguments":{...}}}]}, arguments as an object where
 * OpenAI has JSON text. Arguments that are not a JSON object (a model's malformed output) go out as the string they
 * are, so nothing the model said is lost.
 */
final class OllamaToolCalls {

    private OllamaToolCalls() {}

    static ArrayNode render(List<ToolCall> calls) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ToolCall call : calls) {
            ObjectNode function = out.addObject().putObject("function");
            function.put("name", call.name());
            function.set("arguments", arguments(call.arguments()));
        }
        return out;
    }

    private static JsonNode arguments(String text) {
        try {
            JsonNode parsed = Json.parse(text);
            if (parsed.isObject()) {
                return parsed;
            }
        } catch (IOException | RuntimeException notJson) {
            // below
        }
        return Json.MAPPER.getNodeFactory().textNode(text);
    }
}
