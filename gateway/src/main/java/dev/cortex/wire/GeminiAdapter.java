package dev.cortex.wire;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.chat.Usage;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;

/**
 * Google's Gemini API ({@code {base}/models/{model}:streamGenerateContent?alt=sse}, {@code x-goog-api-key}). The
 * assistant is called {@code model}, system prompts move to {@code systemInstruction}, sampling goes in
 * {@code generationConfig}; the SSE stream has no end marker (the last chunk carries {@code finishReason}); quota
 * errors say in their details how long to wait and whether the quota is per minute or per day.
 *
 * <p>Tools are {@code functionDeclarations}, {@code tool_choice} a {@code functionCallingConfig} (Gemini has no switch
 * for parallel calls: the caller's is not sent). Schemas go in the JSON-Schema fields ({@code parametersJsonSchema},
 * {@code responseJsonSchema}), not in {@code parameters} / {@code responseSchema}, which take an OpenAPI subset and
 * refuse what agents' schemas routinely hold (type lists for nullable fields, {@code additionalProperties},
 * {@code const}, {@code $ref}): passing JSON Schema on loses nothing, where translating it down would; what Gemini still
 * refuses there is taken out by {@link GeminiSchema}. The conversation's shape is {@link GeminiContents}'.
 */
public final class GeminiAdapter implements ProviderAdapter {

    @Override
    public UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey) {
        ObjectNode body = Json.object();
        body.set("contents", GeminiContents.of(request));
        String system = GeminiContents.system(request);
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", system);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (ToolSpec tool : request.tools()) {
                ObjectNode d = declarations.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    d.put("description", tool.description());
                }
                if (tool.parameters() != null) {
                    d.set("parametersJsonSchema", GeminiSchema.of(tool.parameters()));
                }
            }
            if (request.toolChoice() != null) {
                body.putObject("toolConfig").set("functionCallingConfig", callingConfig(request.toolChoice()));
            }
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
        if (request.responseFormat().json()) {
            config.put("responseMimeType", "application/json");
            if (request.responseFormat().schema() != null) {
                config.set(
                        "responseJsonSchema",
                        GeminiSchema.of(request.responseFormat().schema()));
            }
        }
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        String path = "/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + ":streamGenerateContent?alt=sse";
        return UpstreamRequest.post(
                path,
                Map.of("x-goog-api-key", apiKey, "Content-Type", "application/json", "Accept", "text/event-stream"),
                Json.bytes(body));
    }

    /** AUTO, NONE, or ANY (a call is required), limited to one function when the caller named it. */
    private static ObjectNode callingConfig(ToolChoice choice) {
        ObjectNode c = Json.object();
        c.put(
                "mode",
                switch (choice.mode()) {
                    case AUTO -> "AUTO";
                    case NONE -> "NONE";
                    case REQUIRED, FUNCTION -> "ANY";
                });
        if (choice.mode() == ToolChoice.Mode.FUNCTION) {
            c.putArray("allowedFunctionNames").add(choice.function());
        }
        return c;
    }

    /**
     * {@code :batchEmbedContents}, every input one request of the batch; what the texts are for becomes Gemini's
     * {@code taskType} (its models embed queries and documents differently).
     */
    @Override
    public Optional<UpstreamRequest> embedRequest(EmbeddingRequest request, String model, String apiKey) {
        ObjectNode body = Json.object();
        ArrayNode requests = body.putArray("requests");
        String taskType = taskType(request.inputType());
        for (String text : request.inputs()) {
            ObjectNode r = requests.addObject().put("model", "models/" + model);
            r.putObject("content").putArray("parts").addObject().put("text", text);
            if (taskType != null) {
                r.put("taskType", taskType);
            }
            WireJson.putIfSet(r, "outputDimensionality", request.dimensions());
        }
        String path = "/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + ":batchEmbedContents";
        return Optional.of(UpstreamRequest.post(
                path, Map.of("x-goog-api-key", apiKey, "Content-Type", "application/json"), Json.bytes(body)));
    }

    /** Cohere's {@code input_type} words, as the gateway takes them, in Gemini's terms; null when Gemini has none. */
    static String taskType(String inputType) {
        if (inputType == null) {
            return null;
        }
        return switch (inputType) {
            case "search_document" -> "RETRIEVAL_DOCUMENT";
            case "search_query" -> "RETRIEVAL_QUERY";
            case "classification" -> "CLASSIFICATION";
            case "clustering" -> "CLUSTERING";
            default -> null;
        };
    }

    /** {@code {"embeddings":[{"values":[...]}]}}: Gemini reports no token counts for embeddings. */
    @Override
    public StreamDecoder embedDecoder(StreamListener listener) {
        return new WholeBodyDecoder(body -> {
            JsonNode embeddings = body.path("embeddings");
            if (!embeddings.isArray()) {
                throw StreamFailure.malformed("the answer holds no embeddings");
            }
            List<float[]> vectors = new ArrayList<>(embeddings.size());
            for (JsonNode e : embeddings) {
                vectors.add(WireJson.vector(e.path("values")));
            }
            listener.onEmbeddings(vectors);
        });
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

    /**
     * Reads {@code GenerateContentResponse} chunks; text parts are deltas, usage grows, the last has a reason. A
     * {@code functionCall} part comes whole (Gemini streams arguments in pieces only when asked to, and Cortex does not
     * ask) and without an id (Gemini matches results by name): it is passed on as one call with an id made here, so
     * the caller can refer back to it as OpenAI's wire requires.
     */
    private static final class ChunkReader implements SseDecoder.EventHandler {
        private final StreamListener listener;
        private boolean finished;
        private boolean anyContent;
        private int calls;
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
                JsonNode call = part.get("functionCall");
                if (text != null && !text.isEmpty() && !part.path("thought").asBoolean(false)) {
                    anyContent = true;
                    listener.onText(text);
                } else if (call != null && call.hasNonNull("name")) {
                    anyContent = true;
                    JsonNode args = call.path("args");
                    listener.onToolCall(
                            calls++,
                            "call_" + UUID.randomUUID().toString().replace("-", ""),
                            call.get("name").asText(),
                            args.isObject() ? args.toString() : "{}");
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
                if (!anyContent) {
                    // a safety block, or thinking that used the whole budget: no answer, and it must not pass as one
                    throw StreamFailure.inBand(
                            "empty_answer", "Gemini returned neither text nor a call (finishReason " + reason + ")");
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
