package dev.cortex.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.failure.BadRequestException;

/**
 * OpenAI's agent fields of a chat request: {@code tools} (functions only), {@code tool_choice} and
 * {@code response_format}, checked as OpenAI checks them, so that a mistake is the caller's 400 here rather than a
 * provider's refusal (which the chain would take for a provider failure) further on.
 */
final class OpenAiTools {

    /** OpenAI's rule for function names; Gemini's is narrower still, so nothing looser may pass. */
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");

    private OpenAiTools() {}

    static List<ToolSpec> tools(RequestFields f) {
        if (f.has("functions") || f.has("function_call")) {
            String field = f.has("functions") ? "functions" : "function_call";
            throw new BadRequestException(
                    field, "'" + field + "' is deprecated and not supported: declare 'tools' and use 'tool_choice'.");
        }
        JsonNode tools = f.node("tools");
        if (tools == null) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw new BadRequestException("tools", "'tools' must be an array.");
        }
        List<ToolSpec> out = new ArrayList<>(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            out.add(tool(tools.get(i), "tools[" + i + "]"));
        }
        return out;
    }

    private static ToolSpec tool(JsonNode tool, String at) {
        if (!tool.isObject() || !"function".equals(tool.path("type").asText())) {
            throw new BadRequestException(at + ".type", "'" + at + ".type' must be 'function'.");
        }
        JsonNode function = tool.get("function");
        if (function == null || !function.isObject()) {
            throw new BadRequestException(at + ".function", "'" + at + ".function' is required.");
        }
        JsonNode name = function.get("name");
        if (name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()) {
            throw new BadRequestException(
                    at + ".function.name",
                    "'" + at + ".function.name' is required: 1 to 64 letters, digits, underscores or dashes.");
        }
        JsonNode description = function.get("description");
        if (description != null && !description.isNull() && !description.isTextual()) {
            throw new BadRequestException(
                    at + ".function.description", "'" + at + ".function.description' must be a string.");
        }
        JsonNode parameters = function.get("parameters");
        if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
            throw new BadRequestException(
                    at + ".function.parameters", "'" + at + ".function.parameters' must be a JSON Schema object.");
        }
        JsonNode strict = function.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
            throw new BadRequestException(at + ".function.strict", "'" + at + ".function.strict' must be a boolean.");
        }
        return new ToolSpec(
                name.asText(),
                description == null || description.isNull() ? null : description.asText(),
                parameters == null || parameters.isNull() ? null : parameters,
                strict == null || strict.isNull() ? null : strict.asBoolean());
    }

    /** {@code "none"|"auto"|"required"} or a named function, which must be among the tools. Null when not given. */
    static ToolChoice choice(RequestFields f, List<ToolSpec> tools) {
        JsonNode choice = f.node("tool_choice");
        if (choice == null) {
            return null;
        }
        ToolChoice parsed;
        if (choice.isTextual()) {
            parsed = switch (choice.asText()) {
                case "none" -> ToolChoice.NONE;
                case "auto" -> ToolChoice.AUTO;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw new BadRequestException(
                        "tool_choice",
                        "'tool_choice' must be 'none', 'auto', 'required' or"
                                + " {\"type\":\"function\",\"function\":{\"name\":...}}.");
            };
        } else {
            JsonNode name = choice.path("function").path("name");
            if (!choice.isObject() || !"function".equals(choice.path("type").asText()) || !name.isTextual()) {
                throw new BadRequestException(
                        "tool_choice",
                        "'tool_choice' must be 'none', 'auto', 'required' or"
                                + " {\"type\":\"function\",\"function\":{\"name\":...}}.");
            }
            if (tools.stream().noneMatch(t -> t.name().equals(name.asText()))) {
                throw new BadRequestException(
                        "tool_choice",
                        "'tool_choice' names function '" + name.asText() + "', which is not among 'tools'.");
            }
            parsed = ToolChoice.function(name.asText());
        }
        if (tools.isEmpty() && parsed.mode() == ToolChoice.Mode.REQUIRED) {
            throw new BadRequestException("tool_choice", "'tool_choice' is 'required' but no 'tools' are given.");
        }
        return parsed;
    }

    /** {@code text}, {@code json_object}, or {@code json_schema} with its {@code name} and {@code schema}. */
    static ResponseFormat responseFormat(RequestFields f) {
        RequestFields format = f.object("response_format");
        if (format == null) {
            return ResponseFormat.TEXT;
        }
        String type = format.string("type");
        if (type == null) {
            throw new BadRequestException("response_format.type", "'response_format.type' is required.");
        }
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                RequestFields schema = format.object("json_schema");
                if (schema == null) {
                    throw new BadRequestException(
                            "response_format.json_schema", "'response_format.json_schema' is required.");
                }
                String name = schema.string("name");
                if (name == null || !NAME.matcher(name).matches()) {
                    throw new BadRequestException(
                            "response_format.json_schema.name",
                            "'response_format.json_schema.name' is required: 1 to 64 letters, digits, underscores or"
                                    + " dashes.");
                }
                JsonNode body = schema.node("schema");
                if (body == null || !body.isObject()) {
                    throw new BadRequestException(
                            "response_format.json_schema.schema",
                            "'response_format.json_schema.schema' is required: a JSON Schema object.");
                }
                yield ResponseFormat.schema(name, body, schema.bool("strict"));
            }
            default -> throw new BadRequestException(
                    "response_format.type", "'response_format.type' must be 'text', 'json_object' or 'json_schema'.");
        };
    }
}
