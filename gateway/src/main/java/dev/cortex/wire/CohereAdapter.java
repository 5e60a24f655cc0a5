package dev.cortex.wire;

import java.util.Locale;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.Usage;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;

/**
 * Cohere's v2 Chat API ({@code {base}/v2/chat}, Bearer key): top-p and top-k are {@code p} and {@code k}, penalties
 * live on a 0–1 scale, the stream is SSE with named events ending in {@code message-end} (which carries the finish
 * reason, the usage and, when generation failed, the error); errors are a flat {@code {"message": ...}}.
 */
public final class CohereAdapter implements ProviderAdapter {

    @Override
    public UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey) {
        ObjectNode body = WireJson.streamingChat(model, request.messages());
        WireJson.putIfSet(body, "temperature", request.temperature());
        if (request.topP() != null) {
            body.put("p", Math.max(0.01, Math.min(0.99, request.topP())));
        }
        WireJson.putIfSet(body, "k", request.topK());
        WireJson.putIfSet(body, "max_tokens", request.maxTokens());
        WireJson.putIfSet(body, "stop_sequences", request.stop());
        WireJson.putIfSet(body, "seed", request.seed());
        WireJson.putIfSet(body, "frequency_penalty", penalty(request.frequencyPenalty()));
        WireJson.putIfSet(body, "presence_penalty", penalty(request.presencePenalty()));
        return UpstreamRequest.post("/v2/chat", UpstreamRequest.bearerStream(apiKey), Json.bytes(body));
    }

    /** OpenAI's -2..2 onto Cohere's 0..1: a negative penalty has no Cohere equivalent, so it becomes none. */
    static Double penalty(Double openAi) {
        return openAi == null ? null : Math.max(0.0, Math.min(1.0, openAi / 2.0));
    }

    @Override
    public UpstreamRequest probeRequest(String apiKey) {
        return UpstreamRequest.get("/v1/models?endpoint=chat&page_size=1", UpstreamRequest.bearer(apiKey));
    }

    @Override
    public StreamDecoder decoder(StreamListener listener) {
        return new SseDecoder(new EventReader(listener));
    }

    @Override
    public UpstreamError error(int status, Function<String, String> header, String body) {
        String message = WireJson.errorMessage(WireJson.errorBody(body), "/message", body);
        UpstreamError.Quota quota = UpstreamError.Quota.NONE;
        String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (status == 429 && (lower.contains("month") || lower.contains("trial key"))) {
            quota = UpstreamError.Quota.PER_DAY; // a trial key's monthly cap does not refill within minutes
        }
        return UpstreamError.http(status, null, RetryHints.fromHeaders(header), quota, message);
    }

    private static final class EventReader implements SseDecoder.EventHandler {
        private final StreamListener listener;
        private boolean ended;

        EventReader(StreamListener listener) {
            this.listener = listener;
        }

        @Override
        public void onEvent(String event, String data) {
            if (data.startsWith("[DONE]")) {
                return; // optional noise after message-end
            }
            JsonNode json = WireJson.event(data);
            String type = event != null ? event : Json.text(json, "type");
            if ("content-delta".equals(type)) {
                String text = Json.text(json.path("delta").path("message").path("content"), "text");
                if (text != null && !text.isEmpty()) {
                    listener.onText(text);
                }
            } else if ("message-end".equals(type)) {
                JsonNode delta = json.path("delta");
                String reason = Json.text(delta, "finish_reason");
                if (delta.hasNonNull("error")
                        || "ERROR".equalsIgnoreCase(reason)
                        || "TIMEOUT".equalsIgnoreCase(reason)) {
                    throw StreamFailure.inBand(reason, Json.text(delta, "error"));
                }
                JsonNode usage = delta.path("usage");
                // callers see what the model processed (tokens); what Cohere bills (billed_units) is kept for cost
                JsonNode billed = usage.path("billed_units");
                JsonNode tokens = usage.has("tokens") ? usage.get("tokens") : billed;
                int in = tokens.path("input_tokens").asInt(),
                        out = tokens.path("output_tokens").asInt();
                listener.onUsage(new Usage(
                        in,
                        out,
                        billed.path("input_tokens").asInt(in),
                        billed.path("output_tokens").asInt(out)));
                listener.onFinish(finishReason(reason));
                ended = true;
            }
        }

        @Override
        public boolean complete() {
            return ended;
        }
    }

    static FinishReason finishReason(String cohere) {
        if (cohere == null) {
            return FinishReason.STOP;
        }
        return switch (cohere.toUpperCase(Locale.ROOT)) {
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "TOOL_CALL" -> FinishReason.TOOL_CALLS;
            case "CONTENT_BLOCKED" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }
}
