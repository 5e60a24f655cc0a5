package dev.cortex.wire;

import java.io.IOException;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.Json;
import dev.cortex.chat.ToolCall;
import dev.cortex.failure.BadRequestException;

/**
 * A conversation as Gemini's {@code contents}: turns are {@code user} or {@code model}, each a list of parts. A user
 * turn's images follow its text as {@code inlineData}; an assistant turn's calls are {@code functionCall} parts with
 * their arguments as an object; tool results go back in a {@code user} turn as {@code functionResponse} parts, named
 * (Gemini matches results to calls by name, not by id), the results of consecutive tool turns in one turn, as Gemini
 * answers several calls in one. System prompts are not turns here: they go in {@code systemInstruction}.
 */
final class GeminiContents {

    private GeminiContents() {}

    static ArrayNode of(ChatRequest request) {
        ArrayNode contents = Json.MAPPER.createArrayNode();
        ArrayNode results = null; // the parts of the turn the current run of tool results goes into
        for (ChatMessage m : request.messages()) {
            if (m.isSystem()) {
                continue;
            }
            if (m.isTool()) {
                if (results == null) {
                    ObjectNode turn = contents.addObject().put("role", "user");
                    results = turn.putArray("parts");
                }
                results.addObject().set("functionResponse", functionResponse(request, m));
                continue;
            }
            results = null;
            ObjectNode turn = contents.addObject();
            boolean model = "assistant".equals(m.role());
            turn.put("role", model ? "model" : "user");
            ArrayNode parts = turn.putArray("parts");
            if (!m.content().isEmpty() || (m.images().isEmpty() && m.toolCalls().isEmpty())) {
                parts.addObject().put("text", m.content());
            }
            for (ImageInput image : m.images()) {
                parts.addObject()
                        .putObject("inlineData")
                        .put("mimeType", image.mediaType())
                        .put("data", image.base64());
            }
            for (ToolCall call : m.toolCalls()) {
                parts.addObject()
                        .putObject("functionCall")
                        .put("name", call.name())
                        .set("args", object(call.arguments(), "arguments"));
            }
        }
        return contents;
    }

    /** The system prompts, joined: Gemini takes one {@code systemInstruction}. */
    static String system(ChatRequest request) {
        StringJoiner system = new StringJoiner("\n\n");
        for (ChatMessage m : request.messages()) {
            if (m.isSystem()) {
                system.add(m.content());
            }
        }
        return system.toString();
    }

    private static ObjectNode functionResponse(ChatRequest request, ChatMessage toolTurn) {
        String name = request.toolName(toolTurn);
        if (name == null) {
            throw new BadRequestException(
                    "messages",
                    "a tool message must answer a tool call made earlier in the conversation (tool_call_id "
                            + toolTurn.toolCallId() + " matches none) or carry the function's name");
        }
        ObjectNode r = Json.object().put("name", name);
        r.set("response", object(toolTurn.content(), "result"));
        return r;
    }

    /**
     * Gemini takes arguments and results as JSON objects only: an object's text goes as the object, anything else (a
     * number, a list, plain text) wrapped as {@code {key: text}} so that the model still reads all of it.
     */
    private static ObjectNode object(String text, String key) {
        if (text == null || text.isBlank()) {
            return Json.object();
        }
        try {
            JsonNode parsed = Json.parse(text);
            if (parsed.isObject()) {
                return (ObjectNode) parsed;
            }
        } catch (IOException notJson) {
            // plain text: wrapped below
        }
        return Json.object().put(key, text);
    }
}
