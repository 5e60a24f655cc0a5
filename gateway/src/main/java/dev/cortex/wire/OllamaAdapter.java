package dev.cortex.wire;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.PenaltyScale;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.Usage;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;

/**
 * Ollama's native chat API ({@code {base}/api/chat}, no auth): sampling settings go in {@code options},
 * {@code max_tokens} becomes {@code num_predict}, OpenAI's frequency penalty becomes {@code repeat_penalty}; the
 * stream is NDJSON whose last line says {@code done: true} and carries the token counts. Every chat carries the
 * configured {@code keep_alive}: a chat without one resets the model's warm window to the server's default (5 minutes
 * unless the server says otherwise), undoing the window Cortex set when it loaded the model.
 */
public final class OllamaAdapter implements ProviderAdapter {

    private final String keepAlive;

    /** @param keepAlive how long Ollama keeps the model loaded after each chat ({@code ollama.keep-alive}) */
    public OllamaAdapter(String keepAlive) {
        this.keepAlive = keepAlive;
    }

    @Override
    public UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey) {
        ObjectNode body = WireJson.streamingChat(model, request.messages());
        body.put("keep_alive", keepAlive);
        ObjectNode options = Json.object();
        WireJson.putIfSet(options, "temperature", request.temperature());
        WireJson.putIfSet(options, "top_p", request.topP());
        WireJson.putIfSet(options, "top_k", request.topK());
        WireJson.putIfSet(options, "num_predict", request.maxTokens());
        WireJson.putIfSet(options, "stop", request.stop());
        WireJson.putIfSet(options, "seed", request.seed());
        if (request.frequencyPenalty() != null) {
            options.put("repeat_penalty", PenaltyScale.toRepeatPenalty(request.frequencyPenalty()));
        }
        WireJson.putIfSet(options, "presence_penalty", request.presencePenalty());
        if (!options.isEmpty()) {
            body.set("options", options);
        }
        return UpstreamRequest.post("/api/chat", Map.of("Content-Type", "application/json"), Json.bytes(body));
    }

    /** {@code /api/embed}: every input in one call; {@code truncate} off, so an input too long is an error, not a lie. */
    @Override
    public Optional<UpstreamRequest> embedRequest(EmbeddingRequest request, String model, String apiKey) {
        ObjectNode body = Json.object();
        body.put("model", model);
        ArrayNode input = body.putArray("input");
        request.inputs().forEach(input::add);
        body.put("truncate", false);
        WireJson.putIfSet(body, "dimensions", request.dimensions());
        body.put("keep_alive", keepAlive);
        return Optional.of(
                UpstreamRequest.post("/api/embed", Map.of("Content-Type", "application/json"), Json.bytes(body)));
    }

    /** {@code {"model","embeddings":[[...]],"prompt_eval_count"}}. */
    @Override
    public StreamDecoder embedDecoder(StreamListener listener) {
        return new WholeBodyDecoder(body -> {
            if (body.hasNonNull("model")) {
                listener.onModel(body.get("model").asText());
            }
            listener.onUsage(new Usage(body.path("prompt_eval_count").asInt(), 0));
            listener.onEmbeddings(WireJson.vectors(body.path("embeddings")));
        });
    }

    @Override
    public UpstreamRequest probeRequest(String apiKey) {
        return UpstreamRequest.get("/api/tags", Map.of());
    }

    @Override
    public StreamDecoder decoder(StreamListener listener) {
        return new NdjsonDecoder(new LineReader(listener));
    }

    @Override
    public UpstreamError error(int status, Function<String, String> header, String body) {
        String message = WireJson.errorMessage(WireJson.errorBody(body), "/error", body);
        String code = status == 404 && message != null && message.contains("not found") ? "model_not_found" : null;
        return UpstreamError.http(status, code, RetryHints.fromHeaders(header), UpstreamError.Quota.NONE, message);
    }

    private static final class LineReader implements NdjsonDecoder.ObjectHandler {
        private final StreamListener listener;
        private boolean done;
        private boolean modelSeen;

        LineReader(StreamListener listener) {
            this.listener = listener;
        }

        @Override
        public void onObject(JsonNode line) {
            if (line.hasNonNull("error")) {
                throw StreamFailure.inBand(null, line.get("error").asText());
            }
            if (!modelSeen && line.hasNonNull("model")) {
                modelSeen = true;
                listener.onModel(line.get("model").asText());
            }
            String content = Json.text(line.path("message"), "content");
            if (content != null && !content.isEmpty()) {
                listener.onText(content);
            }
            if (line.path("done").asBoolean(false)) {
                done = true;
                listener.onFinish(
                        "length".equals(Json.text(line, "done_reason")) ? FinishReason.LENGTH : FinishReason.STOP);
                listener.onUsage(new Usage(
                        line.path("prompt_eval_count").asInt(0),
                        line.path("eval_count").asInt(0)));
            }
        }

        @Override
        public boolean complete() {
            return done;
        }
    }
}
