package dev.cortex.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.failure.BadRequestException;

/** Typed reads of a request's JSON fields: a wrong type is the caller's error, named by its field path. */
final class RequestFields {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final JsonNode root;
    private final String prefix;

    RequestFields(JsonNode root, String prefix) {
        if (root == null || !root.isObject()) {
            throw new BadRequestException(
                    prefix.isEmpty() ? null : prefix,
                    prefix.isEmpty()
                            ? "The request body must be a JSON object."
                            : "'" + prefix + "' must be an object.");
        }
        this.root = root;
        this.prefix = prefix;
    }

    RequestFields object(String field) {
        JsonNode v = root.get(field);
        return v == null || v.isNull() ? null : new RequestFields(v, path(field));
    }

    /** Present with a value: not absent, not null, not an empty array or object (clients send {@code "tools": []}). */
    boolean has(String field) {
        JsonNode v = root.get(field);
        return v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty());
    }

    String string(String field) {
        JsonNode v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(field, "a string");
        }
        return v.asText();
    }

    Boolean bool(String field) {
        JsonNode v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(field, "a boolean");
        }
        return v.asBoolean();
    }

    Double number(String field, double min, double max) {
        JsonNode v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(field, "a number");
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw new BadRequestException(
                    path(field), "'" + path(field) + "' must be between " + min + " and " + max + ".");
        }
        return d;
    }

    Integer integer(String field, int min) {
        JsonNode v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrongType(field, "an integer");
        }
        int i = v.asInt();
        if (i < min) {
            throw new BadRequestException(path(field), "'" + path(field) + "' must be at least " + min + ".");
        }
        return i;
    }

    Long longValue(String field) {
        JsonNode v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(field, "an integer");
        }
        return v.asLong();
    }

    /** A string or an array of strings (OpenAI's {@code stop}). */
    List<String> strings(String field) {
        JsonNode v = present(field);
        if (v == null) {
            return List.of();
        }
        if (v.isTextual()) {
            return List.of(v.asText());
        }
        if (!v.isArray()) {
            throw wrongType(field, "a string or an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw wrongType(field, "a string or an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** {@code messages}: required, non-empty, each with a known role and text content. */
    List<ChatMessage> messages() {
        return messages(RequestFields::message);
    }

    /** Reads one message of a door's shape, {@code at} naming it in errors ({@code messages[2]}). */
    interface MessageReader {
        ChatMessage read(JsonNode message, String at);
    }

    /** {@code messages}: required, non-empty, each read by the door's own reader. */
    List<ChatMessage> messages(MessageReader reader) {
        JsonNode v = root.get("messages");
        if (v == null || v.isNull()) {
            throw new BadRequestException("messages", "'messages' is required.");
        }
        if (!v.isArray()) {
            throw wrongType("messages", "an array");
        }
        if (v.isEmpty()) {
            throw new BadRequestException("messages", "'messages' must contain at least one message.");
        }
        List<ChatMessage> out = new ArrayList<>(v.size());
        Set<String> calledIds = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
            ChatMessage m = reader.read(v.get(i), "messages[" + i + "]");
            m.toolCalls().forEach(call -> calledIds.add(call.id()));
            if (m.toolCallId() != null && !calledIds.contains(m.toolCallId())) {
                // as OpenAI refuses it; and the providers that need the function's name (Gemini) could not find it
                String at = "messages[" + i + "].tool_call_id";
                throw new BadRequestException(
                        at, "'" + at + "' must answer a tool call of an earlier assistant message.");
            }
            out.add(m);
        }
        return out;
    }

    private static ChatMessage message(JsonNode m, String at) {
        return new ChatMessage(role(m, at), content(m.get("content"), at + ".content"));
    }

    /** A message's role, one of the known ones ({@code developer} read as the {@code system} it is a synonym of). */
    static String role(JsonNode m, String at) {
        if (!m.isObject()) {
            throw new BadRequestException(at, "'" + at + "' must be an object with 'role' and 'content'.");
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
            throw new BadRequestException(at + ".role", "'" + at + ".role' must be one of " + ROLES + ".");
        }
        return "developer".equals(role.asText()) ? "system" : role.asText();
    }

    /** Content is a string, or OpenAI's array of parts of which only text is supported. */
    private static String content(JsonNode c, String at) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw new BadRequestException(at, "'" + at + "' must be a string or an array of text parts.");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : c) {
            JsonNode type = part.get("type");
            if (type == null
                    || !"text".equals(type.asText())
                    || !part.path("text").isTextual()) {
                throw new BadRequestException(
                        at, "'" + at + "' may only hold text parts; other inputs are not supported.");
            }
            text.append(part.get("text").asText());
        }
        return text.toString();
    }

    /** The field's raw value when present and not null, for the shapes typed reads do not cover. */
    JsonNode node(String field) {
        return present(field);
    }

    private JsonNode present(String field) {
        JsonNode v = root.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private BadRequestException wrongType(String field, String expected) {
        return new BadRequestException(path(field), "'" + path(field) + "' must be " + expected + ".");
    }

    private String path(String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }
}
