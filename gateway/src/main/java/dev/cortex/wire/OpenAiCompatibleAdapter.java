package dev.cortex.wire;

import java.time.Duration;
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
 * OpenAI's Chat Completions as the many services that speak it do ({@code {base}/chat/completions}, Bearer key):
 * Groq, OpenRouter, Mistral, Together, vLLM, LM Studio, llama.cpp's server. What differs between them is an option,
 * not a subclass (docs/providers.md):
 * <ul>
 * <li>{@code maxTokensField}: the field that caps an answer: {@code max_tokens}, or {@code max_completion_tokens}
 * (Groq, and OpenAI's newer models).</li>
 * <li>{@code streamUsage}: ask for the usage chunk at a stream's end ({@code stream_options.include_usage}); a server
 * that rejects the field is configured without it.</li>
 * </ul>
 * Fields some of these services reject ({@code logprobs}, {@code logit_bias}, {@code messages[].name}, {@code n>1}:
 * Groq) are never sent. Tools, tool choice, structured output, tool calls and results and images go in OpenAI's own
 * shapes ({@link OpenAiShapes}). Groq's extras are read wherever they appear: usage in {@code x_groq.usage}, an in-band error
 * in {@code x_groq.error}; per-day quotas in a 429's text; resets in Go-style durations
 * ({@code x-ratelimit-reset-requests: 2m59.56s}).
 */
public final class OpenAiCompatibleAdapter implements ProviderAdapter {

    private final String maxTokensField;
    private final boolean streamUsage;

    public OpenAiCompatibleAdapter(String maxTokensField, boolean streamUsage) {
        this.maxTokensField = maxTokensField;
        this.streamUsage = streamUsage;
    }

    @Override
    public UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey) {
        ObjectNode body = WireJson.streamingChat(model, request.messages());
        if (streamUsage) {
            body.putObject("stream_options").put("include_usage", true);
        }
        WireJson.putIfSet(body, "temperature", request.temperature());
        WireJson.putIfSet(body, "top_p", request.topP());
        WireJson.putIfSet(body, maxTokensField, request.maxTokens());
        WireJson.putIfSet(body, "stop", request.stop());
        WireJson.putIfSet(body, "seed", request.seed());
        WireJson.putIfSet(body, "frequency_penalty", request.frequencyPenalty());
        WireJson.putIfSet(body, "presence_penalty", request.presencePenalty());
        if (!request.tools().isEmpty()) {
            body.set("tools", OpenAiShapes.tools(request.tools()));
            if (request.toolChoice() != null) {
                body.set("tool_choice", OpenAiShapes.toolChoice(request.toolChoice()));
            }
            if (request.parallelToolCalls() != null) {
                body.put("parallel_tool_calls", request.parallelToolCalls());
            }
        }
        ObjectNode format = OpenAiShapes.responseFormat(request.responseFormat());
        if (format != null) {
            body.set("response_format", format);
        }
        return UpstreamRequest.post("/chat/completions", UpstreamRequest.bearerStream(apiKey), Json.bytes(body));
    }

    @Override
    public UpstreamRequest probeRequest(String apiKey) {
        return UpstreamRequest.get("/models", UpstreamRequest.bearer(apiKey));
    }

    @Override
    public StreamDecoder decoder(StreamListener listener) {
        return new SseDecoder(new ChunkReader(listener));
    }

    @Override
    public UpstreamError error(int status, Function<String, String> header, String body) {
        JsonNode error = WireJson.errorBody(body).path("error");
        String code = Json.text(error, "code");
        String type = Json.text(error, "type");
        String message = WireJson.errorMessage(error, "/message", body);
        Duration retry = RetryHints.fromHeaders(header);
        UpstreamError.Quota quota = UpstreamError.Quota.NONE;
        if (status == 429) {
            boolean perDay = message != null
                    && (message.contains("per day") || message.contains("(RPD)") || message.contains("(TPD)"));
            if (perDay || "insufficient_quota".equals(code)) {
                quota = UpstreamError.Quota.PER_DAY;
                Duration reset = RetryHints.goDuration(header.apply("x-ratelimit-reset-requests"));
                retry = reset != null ? reset : retry;
            }
            if (retry == null) {
                retry = RetryHints.fromText(message);
            }
            if (retry == null) {
                retry = RetryHints.goDuration(header.apply(
                        "tokens".equals(type) ? "x-ratelimit-reset-tokens" : "x-ratelimit-reset-requests"));
            }
        }
        return UpstreamError.http(status, code, retry, quota, message);
    }

    /** Reads OpenAI-style {@code chat.completion.chunk} events. */
    static final class ChunkReader implements SseDecoder.EventHandler {
        private final StreamListener listener;
        private boolean done;
        private boolean modelSeen;

        ChunkReader(StreamListener listener) {
            this.listener = listener;
        }

        @Override
        public void onEvent(String event, String data) {
            if (data.startsWith("[DONE]")) {
                done = true;
                return;
            }
            JsonNode chunk = WireJson.event(data);
            JsonNode error = chunk.get("error");
            if ("error".equals(event) || (error != null && !error.isNull())) {
                JsonNode e = error == null ? chunk : error;
                throw StreamFailure.inBand(Json.text(e, "code"), Json.text(e, "message"));
            }
            JsonNode xGroq = chunk.path("x_groq");
            if (xGroq.hasNonNull("error")) {
                throw StreamFailure.inBand("x_groq_error", xGroq.get("error").asText());
            }
            if (!modelSeen && chunk.hasNonNull("model")) {
                modelSeen = true;
                listener.onModel(chunk.get("model").asText());
            }
            JsonNode choice = chunk.path("choices").path(0);
            String content = Json.text(choice.path("delta"), "content");
            if (content != null && !content.isEmpty()) {
                listener.onText(content);
            }
            toolCalls(choice.path("delta").path("tool_calls"));
            String finish = Json.text(choice, "finish_reason");
            if (finish != null) {
                listener.onFinish(finishReason(finish));
            }
            JsonNode usage = chunk.hasNonNull("usage") ? chunk.get("usage") : xGroq.get("usage");
            if (usage != null && !usage.isNull()) {
                listener.onUsage(new Usage(
                        usage.path("prompt_tokens").asInt(),
                        usage.path("completion_tokens").asInt()));
            }
        }

        /**
         * {@code delta.tool_calls}: the first piece of a call brings its index, id and name; later pieces the same index
         * and an arguments fragment. Groq sends each call whole in one piece; that is the same shape, once.
         */
        private void toolCalls(JsonNode calls) {
            for (int i = 0; i < calls.size(); i++) {
                JsonNode call = calls.get(i);
                JsonNode function = call.path("function");
                listener.onToolCall(
                        call.path("index").asInt(i),
                        Json.text(call, "id"),
                        Json.text(function, "name"),
                        Json.text(function, "arguments"));
            }
        }

        @Override
        public boolean complete() {
            return done;
        }
    }

    static FinishReason finishReason(String openAi) {
        return switch (openAi) {
            case "length" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }
}
