package dev.cortex.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.ToolCall;
import dev.cortex.failure.BadRequestException;

/**
 * Ollama's {@code messages} at its door, in the gateway's terms: text content, {@code images} (bare base64), assistant
 * {@code tool_calls} with the arguments as an object, and tool turns named by {@code tool_name}. Ollama's calls have
 * no ids, but the other providers' conversations need them: a call without one gets {@code call_<turn>_<i>} (the same
 * conversation sent again gets the same ids), and a tool turn is linked to the call it answers — by
 * {@code tool_call_id} when the client kept one, else the first call not yet answered with its {@code tool_name},
 * else the first call not yet answered. A tool turn that answers no call is refused, as on the OpenAI door.
 */
final class OllamaMessages {

    /** Ollama's roles, and OpenAI's {@code developer} (a system prompt), which this door has always taken. */
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final ImageInputs images;

    /** @param images how images are checked (their size limit, {@code cortex.images.max-bytes}) */
    OllamaMessages(ImageInputs images) {
        this.images = images;
    }

    /** {@code messages}: required, non-empty. */
    List<ChatMessage> read(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw new BadRequestException("messages", "'messages' is required.");
        }
        if (!messages.isArray()) {
            throw new BadRequestException("messages", "'messages' must be an array.");
        }
        if (messages.isEmpty()) {
            throw new BadRequestException("messages", "'messages' must contain at least one message.");
        }
        List<ChatMessage> out = new ArrayList<>(messages.size());
        List<ToolCall> unanswered = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            out.add(message(messages.get(i), i, unanswered));
        }
        return out;
    }

    private ChatMessage message(JsonNode m, int turn, List<ToolCall> unanswered) {
        String at = "messages[" + turn + "]";
        if (!m.isObject()) {
            throw new BadRequestException(at, "'" + at + "' must be an object with 'role' and 'content'.");
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
            throw new BadRequestException(at + ".role", "'" + at + ".role' must be one of " + ROLES + ".");
        }
        String content = optionalString(m, "content", at);
        List<ImageInput> images = images(m.get("images"), at + ".images");
        return switch (role.asText()) {
            case "assistant" -> {
                List<ToolCall> calls = toolCalls(m.get("tool_calls"), turn, at + ".tool_calls");
                if (!calls.isEmpty()) {
                    unanswered.clear(); // a new round of calls: the results that follow answer these
                    unanswered.addAll(calls);
                }
                yield new ChatMessage("assistant", content, images, calls, null, null);
            }
            case "tool" -> {
                String toolName = optionalString(m, "tool_name", at);
                ToolCall answered = answered(unanswered, optionalString(m, "tool_call_id", at), toolName);
                if (answered == null) {
                    // as the OpenAI door refuses it: a provider that needs ids or the function's name could not follow
                    throw new BadRequestException(
                            at,
                            "'" + at + "' is a tool result, but no earlier assistant message made a call it answers"
                                    + (toolName == null ? "." : " (tool_name '" + toolName + "')."));
                }
                yield new ChatMessage(
                        "tool",
                        content,
                        images,
                        List.of(),
                        answered.id(),
                        toolName != null ? toolName : answered.name());
            }
            default -> {
                if (m.hasNonNull("tool_calls") && !m.get("tool_calls").isEmpty()) {
                    throw new BadRequestException(
                            at + ".tool_calls", "'" + at + ".tool_calls' may only be on an assistant message.");
                }
                String r = "developer".equals(role.asText()) ? "system" : role.asText();
                yield new ChatMessage(r, content, images, List.of(), null, null);
            }
        };
    }

    /** The unanswered call a tool turn answers, taken off the list; null when none matches. */
    private static ToolCall answered(List<ToolCall> unanswered, String id, String toolName) {
        ToolCall match = null;
        for (ToolCall call : unanswered) {
            if (id != null ? id.equals(call.id()) : toolName == null || toolName.equals(call.name())) {
                match = call;
                break;
            }
        }
        if (match == null && id != null) {
            return answered(unanswered, null, toolName); // an id from elsewhere: fall back to the name
        }
        unanswered.remove(match);
        return match;
    }

    private List<ImageInput> images(JsonNode v, String at) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new BadRequestException(at, "'" + at + "' must be an array of base64 strings.");
        }
        List<ImageInput> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            String where = at + "[" + i + "]";
            if (!v.get(i).isTextual()) {
                throw new BadRequestException(where, "'" + where + "' must be an image in base64.");
            }
            out.add(images.fromBase64(v.get(i).asText(), where));
        }
        return out;
    }

    /** {@code [{"id"?, "function":{"name","arguments":{...}}}]}: the arguments must be an object, as Ollama's are. */
    private static List<ToolCall> toolCalls(JsonNode v, int turn, String at) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new BadRequestException(at, "'" + at + "' must be an array.");
        }
        List<ToolCall> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            String where = at + "[" + i + "]";
            JsonNode call = v.get(i);
            JsonNode function = call.path("function");
            if (!function.isObject()
                    || !function.path("name").isTextual()
                    || function.get("name").asText().isBlank()) {
                throw new BadRequestException(where + ".function.name", "'" + where + ".function.name' is required.");
            }
            JsonNode arguments = function.get("arguments");
            if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
                throw new BadRequestException(
                        where + ".function.arguments", "'" + where + ".function.arguments' must be an object.");
            }
            String id = call.path("id").isTextual() && !call.get("id").asText().isBlank()
                    ? call.get("id").asText()
                    : "call_" + turn + "_" + i;
            out.add(new ToolCall(
                    id,
                    function.get("name").asText(),
                    arguments == null || arguments.isNull() ? "{}" : arguments.toString()));
        }
        return out;
    }

    private static String optionalString(JsonNode m, String field, String at) {
        JsonNode v = m.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new BadRequestException(at + "." + field, "'" + at + "." + field + "' must be a string.");
        }
        return v.asText();
    }
}
