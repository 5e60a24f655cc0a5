package dev.cortex.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.ToolCall;
import dev.cortex.failure.BadRequestException;

/**
 * Reads one message of OpenAI's Chat Completions shape: content as a string or as {@code text} and {@code image_url}
 * parts (images in user turns only, turned into bytes by {@link ImageInputs}); an assistant turn's {@code tool_calls}
 * (its content may then be null); a tool turn's {@code tool_call_id} (required: without it no provider can tell which
 * call the result answers) and optional {@code name}.
 */
final class OpenAiMessages implements RequestFields.MessageReader {

    private final ImageInputs images;

    OpenAiMessages(ImageInputs images) {
        this.images = images;
    }

    @Override
    public ChatMessage read(JsonNode m, String at) {
        String role = RequestFields.role(m, at);
        List<ImageInput> pictures = new ArrayList<>();
        String text = content(m.get("content"), at + ".content", pictures);
        if (!pictures.isEmpty() && !role.equals("user")) {
            throw new BadRequestException(at + ".content", "'" + at + ".content': only user messages may hold images.");
        }
        List<ToolCall> calls = toolCalls(m.get("tool_calls"), at + ".tool_calls");
        if (!calls.isEmpty() && !role.equals("assistant")) {
            throw new BadRequestException(
                    at + ".tool_calls", "'" + at + ".tool_calls' is only allowed on assistant messages.");
        }
        if (!role.equals("tool")) {
            return new ChatMessage(role, text, pictures, calls, null, null);
        }
        JsonNode id = m.get("tool_call_id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw new BadRequestException(
                    at + ".tool_call_id",
                    "'" + at + ".tool_call_id' is required on a tool message: the id of the call it answers.");
        }
        JsonNode name = m.get("name");
        if (name != null && !name.isNull() && !name.isTextual()) {
            throw new BadRequestException(at + ".name", "'" + at + ".name' must be a string.");
        }
        return ChatMessage.toolResult(id.asText(), name == null || name.isNull() ? null : name.asText(), text);
    }

    /** The text of a message's content; its images, in order, go to {@code pictures}. */
    private String content(JsonNode c, String at, List<ImageInput> pictures) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw new BadRequestException(at, "'" + at + "' must be a string or an array of content parts.");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String p = at + "[" + i + "]";
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> {
                    if (!part.path("text").isTextual()) {
                        throw new BadRequestException(p + ".text", "'" + p + ".text' must be a string.");
                    }
                    text.append(part.get("text").asText());
                }
                case "image_url" -> pictures.add(image(part.get("image_url"), p + ".image_url"));
                default -> throw new BadRequestException(
                        p + ".type", "'" + p + ".type' must be 'text' or 'image_url'; other inputs are not supported.");
            }
        }
        return text.toString();
    }

    /** {@code {"url": ...}} (OpenAI's shape; {@code detail} is a hint no provider here takes), or the URL alone. */
    private ImageInput image(JsonNode imageUrl, String at) {
        JsonNode url = imageUrl != null && imageUrl.isObject() ? imageUrl.get("url") : imageUrl;
        String field = imageUrl != null && imageUrl.isObject() ? at + ".url" : at;
        if (url == null || !url.isTextual() || url.asText().isEmpty()) {
            throw new BadRequestException(field, "'" + at + ".url' is required: a data URL or an http(s) URL.");
        }
        return images.fromUrl(url.asText(), field);
    }

    private static List<ToolCall> toolCalls(JsonNode calls, String at) {
        if (calls == null || calls.isNull()) {
            return List.of();
        }
        if (!calls.isArray()) {
            throw new BadRequestException(at, "'" + at + "' must be an array.");
        }
        List<ToolCall> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            String p = at + "[" + i + "]";
            JsonNode id = call.get("id");
            if (id == null || !id.isTextual() || id.asText().isEmpty()) {
                throw new BadRequestException(p + ".id", "'" + p + ".id' is required.");
            }
            JsonNode function = call.get("function");
            if (function == null
                    || !function.isObject()
                    || !function.path("name").isTextual()) {
                throw new BadRequestException(p + ".function.name", "'" + p + ".function.name' is required.");
            }
            JsonNode arguments = function.get("arguments");
            String args;
            if (arguments == null || arguments.isNull()) {
                args = "{}";
            } else if (arguments.isTextual()) {
                args = arguments.asText();
            } else if (arguments.isObject()) {
                args = arguments.toString(); // some clients send the object itself
            } else {
                throw new BadRequestException(
                        p + ".function.arguments", "'" + p + ".function.arguments' must be a JSON string.");
            }
            out.add(new ToolCall(id.asText(), function.get("name").asText(), args));
        }
        return out;
    }
}
