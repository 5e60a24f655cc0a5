package dev.cortex.api;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.Json;
import dev.cortex.chat.ToolCall;

/**
 * Tool calls on the Ollama door: {@code [{"id":..,"function":{"name":..,"arguments":{...}}}]}, arguments as an object
 * where OpenAI has JSON text. The id is the one the answering provider gave (or its adapter made up): Ollama's own
 * server sends none, but clients that echo the call back (ollama4j reads {@code id}) then keep it, and this door reads
 * it again.
 */
final class OllamaToolCalls {

    private OllamaToolCalls() {}

    static ArrayNode render(List<ToolCall> calls) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ToolCall call : calls) {
            ObjectNode c = out.addObject();
            if (call.id() != null) {
                c.put("id", call.id());
            }
            ObjectNode function = c.putObject("function");
            function.put("name", call.name());
            function.set("arguments", call.argumentsObject());
        }
        return out;
    }
}
