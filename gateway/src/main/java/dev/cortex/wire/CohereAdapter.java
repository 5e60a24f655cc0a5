package dev.cortex.wire;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.chat.Usage;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;

/**
 * Cohere's v2 Chat API ({@code {base}/v2/chat}, Bearer key): top-p and top-k are {@code p} and {@code k}, penalties
 * live on a 0–1 scale, the stream is SSE with named events ending in {@code message-end} (which carries the finish
 * reason, the usage and, when generation failed, the error); errors are a flat {@code {"message": ...}}. Messages and
 * tools are OpenAI's shapes, but for what Cohere does its own way: {@code tool_choice} ({@code REQUIRED} or
 * {@code NONE}), strictness for all tools at once ({@code strict_tools}), no text beside an assistant turn's tool calls
 * (it goes in {@code tool_plan}), and JSON answers as {@code json_object} with an optional schema. Embeddings are
 * {@code {base}/v2/embed}.
 */
public final class CohereAdapter implements ProviderAdapter {

    @Override
    public UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey) {
        ObjectNode body = WireJson.streamingChat(model, request.messages());
        planBesideToolCalls((ArrayNode) body.get("messages"));
        putTools(body, request);
        putResponseFormat(body, request.responseFormat());
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

    /**
     * Cohere refuses text content on an assistant turn that calls tools ("text content is not allowed when tool_calls
     * are provided"), and says where such text belongs: {@code tool_plan}, the model's own words before its calls.
     * OpenAI's shape puts them in {@code content}, so they move.
     */
    private static void planBesideToolCalls(ArrayNode messages) {
        for (JsonNode m : messages) {
            if (m.has("tool_calls") && m.has("content")) {
                ObjectNode turn = (ObjectNode) m;
                turn.set("tool_plan", turn.remove("content"));
            }
        }
    }

    /**
     * The tools, and whether the model must or must not call one. Cohere's {@code tool_choice} knows only
     * {@code REQUIRED} and {@code NONE} (the model deciding is the default, sent as no {@code tool_choice}); it cannot
     * name a function, so a call of one named function is asked for by offering that function alone, required. Cohere
     * takes strictness for all tools at once ({@code strict_tools}), not per function as OpenAI does: one strict tool
     * makes them all strict, a schema the caller promised to follow anyway. Cohere has no switch for parallel calls,
     * so {@code parallel_tool_calls} is not sent: its models may call several tools in one turn.
     */
    private static void putTools(ObjectNode body, ChatRequest request) {
        if (request.tools().isEmpty()) {
            return;
        }
        ToolChoice choice = request.toolChoice() == null ? ToolChoice.AUTO : request.toolChoice();
        List<ToolSpec> offered = request.tools();
        if (choice.mode() == ToolChoice.Mode.FUNCTION) {
            List<ToolSpec> named = offered.stream()
                    .filter(t -> t.name().equals(choice.function()))
                    .toList();
            offered = named.isEmpty() ? offered : named; // a name no tool has is the front door's 400 to give
        }
        ArrayNode tools = OpenAiShapes.tools(offered);
        tools.forEach(t -> ((ObjectNode) t.path("function")).remove("strict"));
        body.set("tools", tools);
        if (offered.stream().anyMatch(t -> Boolean.TRUE.equals(t.strict()))) {
            body.put("strict_tools", true);
        }
        switch (choice.mode()) {
            case NONE -> body.put("tool_choice", "NONE");
            case REQUIRED, FUNCTION -> body.put("tool_choice", "REQUIRED");
            case AUTO -> {
                // Cohere's default: the model decides
            }
        }
    }

    /** {@code {"type":"json_object"}}, with {@code json_schema} when the answer must follow one. */
    private static void putResponseFormat(ObjectNode body, ResponseFormat format) {
        if (!format.json()) {
            return;
        }
        ObjectNode out = body.putObject("response_format").put("type", "json_object");
        if (format.kind() == ResponseFormat.Kind.JSON_SCHEMA && format.schema() != null) {
            out.set("json_schema", format.schema());
        }
    }

    /**
     * {@code /v2/embed}, beside {@code /v2/chat} below the base URL: float vectors for every text in one call. Cohere
     * embeds a text differently by what it is for ({@code input_type}, required by its current models); documents when
     * the caller did not say. {@code truncate: NONE}, so an input too long is an error, not a vector of part of it.
     */
    @Override
    public Optional<UpstreamRequest> embedRequest(EmbeddingRequest request, String model, String apiKey) {
        ObjectNode body = Json.object();
        body.put("model", model);
        ArrayNode texts = body.putArray("texts");
        request.inputs().forEach(texts::add);
        body.put("input_type", request.inputType() != null ? request.inputType() : "search_document");
        body.putArray("embedding_types").add("float");
        WireJson.putIfSet(body, "output_dimension", request.dimensions());
        body.put("truncate", "NONE");
        return Optional.of(UpstreamRequest.post("/v2/embed", UpstreamRequest.bearerJson(apiKey), Json.bytes(body)));
    }

    /**
     * {@code {"id","embeddings":{"float":[[...]]},"texts","meta":{"billed_units":{"input_tokens"}}}}: the vectors of
     * the one type asked for; the tokens Cohere bills are the usage (it names no model in the answer).
     */
    @Override
    public StreamDecoder embedDecoder(StreamListener listener) {
        return new WholeBodyDecoder(body -> {
            listener.onUsage(new Usage(
                    body.path("meta").path("billed_units").path("input_tokens").asInt(), 0));
            listener.onEmbeddings(WireJson.vectors(body.path("embeddings").path("float")));
        });
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

    /**
     * Reads the named events. {@code tool-plan-delta} is passed over on purpose: the plan is the model's reasoning
     * before it calls tools ("I will look up the weather in Paris"), not its answer, and OpenAI's chat wire has no field
     * for reasoning; sent as content, it would reach a user as the reply's text and an agent as a message beside its
     * tool calls. {@code tool-call-end} says nothing a call's pieces did not; {@code content-start/-end} and citations
     * carry no text.
     */
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
            } else if ("tool-call-start".equals(type)) {
                JsonNode call = json.path("delta").path("message").path("tool_calls");
                JsonNode function = call.path("function");
                listener.onToolCall(
                        json.path("index").asInt(0),
                        Json.text(call, "id"),
                        Json.text(function, "name"),
                        function.path("arguments").asText(""));
            } else if ("tool-call-delta".equals(type)) {
                String fragment = Json.text(
                        json.path("delta").path("message").path("tool_calls").path("function"), "arguments");
                if (fragment != null && !fragment.isEmpty()) {
                    listener.onToolCall(json.path("index").asInt(0), null, null, fragment);
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
