package dev.cortex.chat;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A call the model asked for, or made earlier in the conversation (an assistant message's {@code tool_calls}).
 *
 * @param id        the id the tool's result refers back to ({@code tool_call_id}); a provider without ids gets one
 *                  made up by its adapter, so every call has one
 * @param arguments the arguments as JSON text, OpenAI's form (Gemini and Ollama send an object: their adapters
 *                  write it out)
 */
public record ToolCall(String id, String name, String arguments) {

    /**
     * The arguments as the JSON object Ollama's and Gemini's wires carry. Text that is not a JSON object (a model's
     * malformed output) comes back as the string it is, so nothing the model said is lost.
     */
    public JsonNode argumentsObject() {
        try {
            JsonNode parsed = Json.parse(arguments);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (IOException | RuntimeException notJson) {
            // below
        }
        return Json.MAPPER.getNodeFactory().textNode(arguments);
    }
}
