package dev.cortex.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.ChatResult;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.failure.BadRequestException;

/** One front door's embedding shape (OpenAI's {@code /v1/embeddings}, Ollama's {@code /api/embed}). */
public interface EmbeddingApi {

    /** The door's name as the status page shows it. */
    String door();

    /** Reads a parsed request body, or throws {@link BadRequestException} naming the bad field. */
    Parsed parse(JsonNode body);

    /** Renders the vectors and usage in the door's shape. */
    byte[] render(ChatResult result, Parsed request);

    String contentType();

    /**
     * @param base64 the vectors go back as base64 of little-endian float32 (OpenAI's {@code encoding_format})
     */
    record Parsed(EmbeddingRequest request, boolean base64) {}

    /** {@code input}: a string or an array of strings, at least one and none empty; token arrays are refused. */
    static List<String> inputs(JsonNode body) {
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw new BadRequestException("input", "'input' is required: a string or an array of strings.");
        }
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
        } else if (input.isArray()) {
            for (JsonNode e : input) {
                if (!e.isTextual()) {
                    throw new BadRequestException(
                            "input",
                            "'input' must be a string or an array of strings; token arrays are not supported, send"
                                    + " the text.");
                }
                texts.add(e.asText());
            }
        } else {
            throw new BadRequestException("input", "'input' must be a string or an array of strings.");
        }
        if (texts.isEmpty() || texts.stream().anyMatch(String::isEmpty)) {
            throw new BadRequestException("input", "'input' must hold at least one text, and no empty one.");
        }
        return texts;
    }
}
