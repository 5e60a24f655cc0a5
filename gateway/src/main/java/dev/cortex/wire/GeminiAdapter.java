package dev.cortex.wire;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.Usage;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;

/**
 * Google's Gemini API ({@code {base}/models/{model}:streamGenerateContent?alt=sse}, {@code x-goog-api-key}). The
 * assistant is called {@code model}, system prompts move to {@code systemInstruction}, sampling goes in
 * {@code generationConfig}; the SSE stream has no end marker (the last chunk carries {@code finishReason}); quota
 * errors say in their details how long to wait and whether the quota is per minute or per day.
 */
public final class GeminiAdapter implements ProviderAdapter {

    @Override
    public UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey) {
        ObjectNode body = Json.object();
        ArrayNode contents = body.putArray("contents");
        StringJoiner system = new StringJoiner("\n\n");
        for (ChatMessage m : request.messages()) {
            if (m.isSystem()) {
                system.add(m.content());
            } else {
                ObjectNode turn = contents.addObject();
                turn.put("role", "assistant".equals(m.role()) ? "model" : "user");
                turn.putArray("parts").addObject().put("text", m.content());
            }
        }
        if (system.length() > 0) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", system.toString());
        }
        ObjectNode config = Json.object();
        WireJson.putIfSet(config, "temperature", request.temperature());
        WireJson.putIfSet(config, "topP", request.topP());
        WireJson.putIfSet(config, "topK", request.topK());
        WireJson.putIfSet(config, "maxOutputTokens", request.maxTokens());
        WireJson.putIfSet(config, "stopSequences", request.stop());
        WireJson.putIfSet(config, "seed", request.seed());
        WireJson.putIfSet(config, "frequencyPenalty", request.frequencyPenalty());
        WireJson.putIfSet(config, "presencePenalty", request.presencePenalty());
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        String path = "/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + ":streamGenerateContent?alt=sse";
        return UpstreamRequest.post(
                path,
                Map.of("x-goog-api-key", apiKey, "Content-Type", "application/json", "Accept", "text/event-stream"),
                Json.bytes(body));
    }

    @Override
    public UpstreamRequest probeRequest(String apiKey) {
        return UpstreamRequest.get("/models?pageSize=1", Map.of("x-goog-api-key", apiKey));
    }

    @Override
    public StreamDecoder decoder(StreamListener listener) {
        return new SseDecoder(new ChunkReader(listener));
    }

    @Override
    public UpstreamError error(int status, Function<String, String> header, String body) {
        JsonNode root = WireJson.errorBody(body);
        JsonNode error = (root.isArray() ? root.path(0) : root).path("error"); // some Gemini errors come array-wrapped
        String code = Json.text(error, "status");
        Duration retry = RetryHints.fromHeaders(header);
        UpstreamError.Quota quota = UpstreamError.Quota.NONE;
        for (JsonNode detail : error.path("details")) {
            String type = detail.path("@type").asText("");
            if (type.endsWith("google.rpc.ErrorInfo") && detail.hasNonNull("reason")) {
                code = detail.get("reason").asText(); // API_KEY_INVALID says more than INVALID_ARGUMENT
            } else if (type.endsWith("google.rpc.RetryInfo")) {
                retry = RetryHints.goDuration(detail.path("retryDelay").asText(null));
            } else if (type.endsWith("google.rpc.QuotaFailure")) {
                boolean perDay = false;
                for (JsonNode v : detail.path("violations")) {
                    perDay |= v.path("quotaId").asText("").contains("PerDay");
                }
                quota = perDay ? UpstreamError.Quota.PER_DAY : UpstreamError.Quota.PER_MINUTE;
            }
        }
        String message = WireJson.errorMessage(error, "/message", body);
        if (status == 429 && quota == UpstreamError.Quota.NONE && "RESOURCE_EXHAUSTED".equals(code)) {
            quota = UpstreamError.Quota.PER_MINUTE; // Gemini reports every 429 as an exhausted quota
        }
        if (status == 429 && retry == null) {
            retry = RetryHints.fromText(message);
        }
        return UpstreamError.http(status, code, retry, quota, message);
    }

    /** Reads {@code GenerateContentResponse} chunks; text parts are deltas, usage grows, the last has a reason. */
    private static final class ChunkReader implements SseDecoder.EventHandler {
        private final StreamListener listener;
        private boolean finished;
        private boolean anyText;
        private boolean modelSeen;

        ChunkReader(StreamListener listener) {
            this.listener = listener;
        }

        @Override
        public void onEvent(String event, String data) {
            JsonNode chunk = WireJson.event(data);
            if (chunk.hasNonNull("error")) {
                JsonNode e = chunk.get("error");
                throw StreamFailure.inBand(Json.text(e, "status"), Json.text(e, "message"));
            }
            String blocked = Json.text(chunk.path("promptFeedback"), "blockReason");
            if (blocked != null) {
                throw StreamFailure.inBand("prompt_blocked", "Gemini blocked the prompt (" + blocked + ")");
            }
            if (!modelSeen && chunk.hasNonNull("modelVersion")) {
                modelSeen = true;
                listener.onModel(chunk.get("modelVersion").asText());
            }
            JsonNode candidate = chunk.path("candidates").path(0);
            for (JsonNode part : candidate.path("content").path("parts")) {
                String text = Json.text(part, "text");
                if (text != null && !text.isEmpty() && !part.path("thought").asBoolean(false)) {
                    anyText = true;
                    listener.onText(text);
                }
            }
            JsonNode usage = chunk.get("usageMetadata");
            if (usage != null) {
                listener.onUsage(new Usage(
                        usage.path("promptTokenCount").asInt(),
                        usage.path("candidatesTokenCount").asInt()
                                + usage.path("thoughtsTokenCount").asInt()));
            }
            String reason = Json.text(candidate, "finishReason");
            if (reason != null) {
                finished = true;
                if (!anyText) {
                    // a safety block, or thinking that used the whole budget: no answer, and it must not pass as one
                    throw StreamFailure.inBand("empty_answer", "Gemini returned no text (finishReason " + reason + ")");
                }
                listener.onFinish(finishReason(reason));
            }
        }

        @Override
        public boolean complete() {
            return finished;
        }
    }

    static FinishReason finishReason(String gemini) {
        return switch (gemini) {
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> FinishReason
                    .CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }
}
