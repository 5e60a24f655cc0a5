package dev.cortex.wire;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.PenaltyScale;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.chat.Usage;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;

/**
 * Ollama's native chat API ({@code {base}/api/chat}, no auth): sampling settings go in {@code options},
 * {@code max_tokens} becomes {@code num_predict}, OpenAI's frequency penalty becomes {@code repeat_penalty}; the
 * stream is NDJSON whose last line says {@code done: true} and carries the token counts. Messages are Ollama's own:
 * images as a list of base64 strings, tool calls with their arguments as an object and no ids, tool results named by
 * {@code tool_name}. Tools go in OpenAI's shape, structured output as {@code format} ({@code "json"} or the schema).
 * Ollama sends each tool call whole and without an id: the decoder gives each one an id of its own, which the
 * conversation then carries back (its tool turn is named by the call's function, looked up by that id). Every chat
 * carries the configured {@code keep_alive}: a chat without one resets the model's warm window to the server's
 * default (5 minutes unless the server says otherwise), undoing the window Cortex set when it loaded the model.
 */
public final class OllamaAdapter implements ProviderAdapter {

    private final String keepAlive;

    /** @param keepAlive how long Ollama keeps the model loaded after each chat ({@code ollama.keep-alive}) */
    public OllamaAdapter(String keepAlive) {
        this.keepAlive = keepAlive;
    }

    @Override
    public UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey) {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.set("messages", messages(request));
        body.put("stream", true);
        body.put("keep_alive", keepAlive);
        List<ToolSpec> tools = offered(request);
        if (!tools.isEmpty()) {
            body.set("tools", OpenAiShapes.tools(tools));
        }
        switch (request.responseFormat().kind()) {
            case JSON_OBJECT -> body.put("format", "json");
            case JSON_SCHEMA -> body.set("format", request.responseFormat().schema());
            case TEXT -> {}
        }
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

    /**
     * Ollama has no {@code tool_choice}: "none" offers no tools, a named function is offered alone (the nearest it
     * comes to "call this one"), and "required" offers them all (the model may still answer in text).
     */
    private static List<ToolSpec> offered(ChatRequest request) {
        if (!request.offersTools()) {
            return List.of();
        }
        ToolChoice choice = request.toolChoice();
        if (choice != null && choice.mode() == ToolChoice.Mode.FUNCTION) {
            List<ToolSpec> chosen = request.tools().stream()
                    .filter(t -> t.name().equals(choice.function()))
                    .toList();
            return chosen.isEmpty() ? request.tools() : chosen;
        }
        return request.tools();
    }

    /** {@code [{"role","content","images"?,"tool_calls"?,"tool_name"?}]}. */
    private static ArrayNode messages(ChatRequest request) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ChatMessage m : request.messages()) {
            ObjectNode turn = out.addObject();
            turn.put("role", m.role());
            turn.put("content", m.content());
            if (!m.images().isEmpty()) {
                ArrayNode images = turn.putArray("images");
                m.images().forEach(image -> images.add(image.base64()));
            }
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = turn.putArray("tool_calls");
                for (ToolCall call : m.toolCalls()) {
                    calls.addObject()
                            .putObject("function")
                            .put("name", call.name())
                            .set("arguments", call.argumentsObject());
                }
            }
            String toolName = m.isTool() ? request.toolName(m) : null;
            if (toolName != null) {
                turn.put("tool_name", toolName);
            }
        }
        return out;
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

    /** An id for a call Ollama sent without one: unique, so calls of one conversation never share one. */
    private static String newCallId() {
        return "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    private static final class LineReader implements NdjsonDecoder.ObjectHandler {
        private final StreamListener listener;
        private boolean done;
        private boolean modelSeen;
        private int toolCalls;

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
            for (JsonNode call : line.path("message").path("tool_calls")) {
                toolCall(call);
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

        /** {@code {"function":{"name","arguments":{...}}}}, whole: one piece with a new id and all the arguments. */
        private void toolCall(JsonNode call) {
            JsonNode function = call.path("function");
            String name = Json.text(function, "name");
            if (name == null || name.isEmpty()) {
                throw StreamFailure.malformed("a tool call has no function name");
            }
            JsonNode arguments = function.path("arguments");
            String id = Json.text(call, "id"); // newer servers may send one; the protocol has none
            listener.onToolCall(
                    toolCalls++,
                    id == null || id.isEmpty() ? newCallId() : id,
                    name,
                    arguments.isMissingNode() || arguments.isNull()
                            ? "{}"
                            : arguments.isTextual() ? arguments.asText() : arguments.toString());
        }

        @Override
        public boolean complete() {
            return done;
        }
    }
}
