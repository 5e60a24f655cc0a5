package dev.cortex.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a Cohere v2 chat body asks beyond text (tools, a tool's result, JSON answers, images), read as Cohere reads it,
 * and refused where Cohere refuses it: a field it does not know (its 422 "unknown field"), a {@code tool_choice} other
 * than {@code REQUIRED} or {@code NONE}, text beside an assistant turn's tool calls, a tool result answering no call.
 * The messages of the 400s are in Cohere's style ({@code invalid request: ...}); the texts of the ones not quoted from
 * a real answer are ours.
 */
final class CohereAsks {

    /** The fields of a v2 chat body, per Cohere's API reference; anything else is refused. */
    private static final Set<String> CHAT_FIELDS = Set.of(
            "model",
            "messages",
            "stream",
            "tools",
            "strict_tools",
            "documents",
            "citation_options",
            "response_format",
            "safety_mode",
            "max_tokens",
            "stop_sequences",
            "temperature",
            "seed",
            "frequency_penalty",
            "presence_penalty",
            "k",
            "p",
            "return_prompt",
            "logprobs",
            "tool_choice",
            "thinking",
            "priority",
            "raw_prompting");

    private static final Set<String> TOOL_FIELDS = Set.of("type", "function");
    private static final Set<String> FUNCTION_FIELDS = Set.of("name", "description", "parameters");

    private CohereAsks() {}

    static Asks read(JsonNode body) {
        knownFields(body, CHAT_FIELDS, "");
        List<Asks.Tool> tools = tools(body.path("tools"));
        String toolChoice = toolChoice(body.path("tool_choice"), !tools.isEmpty());
        JsonNode format = body.path("response_format");
        JsonNode schema = null;
        boolean jsonObject = false;
        if (!format.isMissingNode() && !format.isNull()) {
            String type = format.path("type").asText("");
            if (type.equals("json_object")) {
                JsonNode s = format.path("json_schema");
                if (!s.isMissingNode() && !s.isNull() && !s.isObject()) {
                    throw badRequest("response_format.json_schema must be an object");
                }
                schema = s.isObject() ? s : null;
                jsonObject = schema == null;
            } else if (!type.equals("text")) {
                throw badRequest("response_format.type must be one of 'text', 'json_object'");
            }
        }
        return new Asks(tools, toolChoice, toolResult(body.path("messages")), schema, jsonObject, images(body));
    }

    /** Cohere's 422 for a field it does not know, with the words it answers it with. */
    private static void knownFields(JsonNode object, Set<String> known, String where) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new WireReply(
                                422,
                                CohereWire.message("unknown field: parameter '" + where + name
                                        + "' is not a valid field. For proper usage, please refer to "
                                        + "https://docs.cohere.com/reference/chat"))
                        .refused();
            }
        }
    }

    /** {@code [{"type":"function","function":{"name","description","parameters"}}]}. */
    private static List<Asks.Tool> tools(JsonNode tools) {
        List<Asks.Tool> out = new ArrayList<>();
        if (tools.isMissingNode() || tools.isNull()) {
            return out;
        }
        if (!tools.isArray()) {
            throw badRequest("tools must be a list");
        }
        for (JsonNode tool : tools) {
            knownFields(tool, TOOL_FIELDS, "tools.");
            JsonNode function = tool.path("function");
            knownFields(function, FUNCTION_FIELDS, "tools.function.");
            if (!tool.path("type").asText().equals("function")
                    || !function.path("name").isTextual()
                    || function.path("name").asText().isBlank()) {
                throw badRequest("each tool must be of type 'function' and have a function name");
            }
            JsonNode parameters = function.path("parameters");
            out.add(new Asks.Tool(function.get("name").asText(), parameters.isObject() ? parameters : null));
        }
        return out;
    }

    /** {@code REQUIRED} or {@code NONE}, and only with tools; absent, the model decides. */
    private static String toolChoice(JsonNode choice, boolean hasTools) {
        if (choice.isMissingNode() || choice.isNull()) {
            return "auto";
        }
        if (!choice.isTextual()
                || !(choice.asText().equals("REQUIRED") || choice.asText().equals("NONE"))) {
            throw badRequest("tool_choice must be one of 'REQUIRED', 'NONE', got " + choice);
        }
        if (!hasTools) {
            throw badRequest("tool_choice can only be used with tools");
        }
        return choice.asText().equals("NONE") ? "none" : "required";
    }

    /**
     * Checks the tool turns of a conversation and returns the last turn's result when it is a tool's: an assistant
     * turn that calls tools carries no text (its words go in {@code tool_plan}), a tool turn answers a call made before
     * it.
     */
    private static String toolResult(JsonNode messages) {
        Set<String> calls = new HashSet<>();
        String last = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText();
            last = null;
            if (role.equals("assistant") && m.has("tool_calls")) {
                if (!CohereWire.text(m.path("content")).isEmpty()) {
                    throw badRequest("text content is not allowed when tool_calls are provided. If you wish to pass "
                            + "a tool plan, use 'tool_plan': 'messages[" + i + "].content'");
                }
                for (JsonNode call : m.path("tool_calls")) {
                    calls.add(call.path("id").asText());
                }
            } else if (role.equals("tool")) {
                String id = m.path("tool_call_id").asText("");
                if (!calls.contains(id)) {
                    throw badRequest("messages[" + i + "]: tool_call_id '" + id
                            + "' does not match any tool call of an earlier assistant message");
                }
                last = toolContent(m.path("content"));
            }
        }
        return last;
    }

    /** A tool's result: a string, or text and document parts (a document's data as JSON text). */
    private static String toolContent(JsonNode content) {
        if (!content.isArray()) {
            return content.asText("");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode data = part.path("document").path("data");
            text.append(
                    part.path("type").asText().equals("document")
                            ? (data.isTextual() ? data.asText() : Json.text(data))
                            : part.path("text").asText(""));
        }
        return text.toString();
    }

    /** The {@code image_url} parts of the messages; one without a URL is refused. */
    private static int images(JsonNode body) {
        int images = 0;
        for (JsonNode m : body.path("messages")) {
            for (JsonNode part : m.path("content")) {
                if (part.path("type").asText().equals("image_url")) {
                    if (!part.path("image_url").path("url").isTextual()) {
                        throw badRequest("image_url.url is required");
                    }
                    images++;
                }
            }
        }
        return images;
    }

    static WireReply.Refused badRequest(String what) {
        return new WireReply(400, CohereWire.message("invalid request: " + what + ".")).refused();
    }
}
