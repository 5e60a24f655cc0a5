package dev.cortex.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatResult;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.Json;
import dev.cortex.chat.Usage;
import dev.cortex.failure.BadRequestException;

/**
 * Ollama's {@code POST /api/embed}: {@code {"model","input","dimensions"?,"truncate"?}} in, {@code
 * {"model","embeddings":[[...]],"prompt_eval_count"}} out. The model may be left out: the default embedding family
 * answers. {@code truncate} is accepted but Cortex never cuts an input short: one too long for the model is an error,
 * not a vector of part of it.
 */
public final class OllamaEmbeddings implements EmbeddingApi {

    @Override
    public String door() {
        return "ollama";
    }

    @Override
    public Parsed parse(JsonNode body) {
        RequestFields f = new RequestFields(body, "");
        if (Boolean.TRUE.equals(f.bool("stream"))) {
            throw new BadRequestException("stream", "Embeddings are not streamed: leave out 'stream'.");
        }
        f.bool("truncate");
        return new Parsed(
                new EmbeddingRequest(f.string("model"), EmbeddingApi.inputs(body), f.integer("dimensions", 1), null),
                false);
    }

    @Override
    public byte[] render(ChatResult result, Parsed request) {
        ObjectNode body = Json.object();
        body.put("model", result.model());
        ArrayNode all = body.putArray("embeddings");
        for (float[] vector : result.embeddings()) {
            ArrayNode numbers = all.addArray();
            for (float x : vector) {
                numbers.add(x);
            }
        }
        Usage usage = result.usage() == null ? Usage.NONE : result.usage();
        body.put("prompt_eval_count", usage.promptTokens());
        return Json.bytes(body);
    }

    @Override
    public String contentType() {
        return "application/json; charset=utf-8";
    }
}
