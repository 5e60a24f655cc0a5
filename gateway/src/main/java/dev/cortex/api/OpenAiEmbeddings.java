package dev.cortex.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatResult;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.Json;
import dev.cortex.chat.Usage;
import dev.cortex.failure.BadRequestException;

/**
 * OpenAI's {@code POST /v1/embeddings}: {@code {"model","input","dimensions"?,"encoding_format"?,"user"?}} in,
 * {@code {"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}} out. Cortex adds
 * {@code input_type} (what the texts are for, for models that embed by purpose, such as Cohere's).
 */
public final class OpenAiEmbeddings implements EmbeddingApi {

    @Override
    public String door() {
        return "openai";
    }

    @Override
    public Parsed parse(JsonNode body) {
        RequestFields f = new RequestFields(body, "");
        if (Boolean.TRUE.equals(f.bool("stream"))) {
            throw new BadRequestException("stream", "Embeddings are not streamed: leave out 'stream'.");
        }
        String format = f.string("encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw new BadRequestException("encoding_format", "'encoding_format' must be \"float\" or \"base64\".");
        }
        f.string("user"); // OpenAI's end-user id: accepted, not used
        List<String> inputs = EmbeddingApi.inputs(body);
        return new Parsed(
                new EmbeddingRequest(f.string("model"), inputs, f.integer("dimensions", 1), f.string("input_type")),
                "base64".equals(format));
    }

    @Override
    public byte[] render(ChatResult result, Parsed request) {
        ObjectNode body = Json.object();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        List<float[]> vectors = result.embeddings();
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode e = data.addObject();
            e.put("object", "embedding");
            e.put("index", i);
            if (request.base64()) {
                e.put("embedding", base64(vectors.get(i)));
            } else {
                ArrayNode numbers = e.putArray("embedding");
                for (float x : vectors.get(i)) {
                    numbers.add(x);
                }
            }
        }
        body.put("model", result.model());
        Usage usage = result.usage() == null ? Usage.NONE : result.usage();
        body.putObject("usage").put("prompt_tokens", usage.promptTokens()).put("total_tokens", usage.promptTokens());
        return Json.bytes(body);
    }

    /** OpenAI's base64 encoding: the vector's float32 values, little-endian, back to back. */
    static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : vector) {
            bytes.putFloat(x);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    @Override
    public String contentType() {
        return "application/json";
    }
}
