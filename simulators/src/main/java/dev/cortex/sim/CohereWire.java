package dev.cortex.sim;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;

/**
 * Cohere's v2 chat wire format ({@code /v2/chat}: JSON, or SSE with named events from {@code message-start} through
 * {@code content-delta} to {@code message-end}, then an optional {@code [DONE]}), the model list
 * ({@code /v1/models}), Bearer keys, and flat {@code {"message": ...}} errors. Usage reports {@code tokens} (with
 * Cohere's own prompt template counted) apart from the smaller {@code billed_units}. Honours {@code max_tokens}
 * (finish {@code MAX_TOKENS}) and {@code stop_sequences} (finish {@code STOP_SEQUENCE}). Tools, tool results, JSON
 * answers and images are read by {@link CohereAsks}; a turn that calls tools says its {@code tool_plan} first, then
 * each call ({@code tool-call-start}, its arguments in {@code tool-call-delta} pieces, {@code tool-call-end}), and
 * ends with {@code TOOL_CALL}. Embeddings ({@code /v2/embed}) are {@link CohereEmbeddings}'.
 */
final class CohereWire implements ChatWire {

    private static final int TEMPLATE_TOKENS = 165; // Cohere's prompt template: counted in tokens, not billed

    @Override
    public String name() {
        return "cohere";
    }

    @Override
    public String pathPrefix() {
        return "";
    }

    @Override
    public List<String> defaultModels() {
        return List.of("command-r-08-2024", "command-a-03-2025", "embed-v4.0");
    }

    @Override
    public String apiKey(HttpServerRequest request) {
        return GroqWire.bearer(request);
    }

    @Override
    public boolean isChat(HttpServerRequest request) {
        return request.path().equals("/v2/chat") && request.method().name().equals("POST");
    }

    @Override
    public boolean isEmbedding(HttpServerRequest request) {
        return request.path().equals("/v2/embed") && request.method().name().equals("POST");
    }

    @Override
    public EmbedRequest readEmbedding(HttpServerRequest request, JsonNode body) {
        return CohereEmbeddings.read(body);
    }

    @Override
    public JsonNode embeddings(EmbedRequest request, List<float[]> vectors) {
        return CohereEmbeddings.answer(request, vectors);
    }

    /** Cohere's error body. */
    static ObjectNode message(String message) {
        return Json.object().put("message", message);
    }

    @Override
    public ChatRequest read(HttpServerRequest request, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new WireReply(400, message("invalid request: cannot parse the request body as JSON.")).refused();
        }
        if (!body.path("model").isTextual() || !body.path("messages").isArray()) {
            throw new WireReply(400, message("invalid request: model and messages are required.")).refused();
        }
        if (CohereEmbeddings.isEmbeddingModel(body.get("model").asText())) {
            throw CohereAsks.badRequest(
                    "model '" + body.get("model").asText() + "' does not support the chat endpoint");
        }
        Asks asks = CohereAsks.read(body);
        int prompt = 0;
        String last = null;
        for (JsonNode m : body.path("messages")) {
            String text = text(m.path("content"));
            prompt += Generation.words(text);
            if (m.path("role").asText().equals("user")) {
                last = text;
            }
        }
        List<String> stop = Json.strings(body.path("stop_sequences"));
        JsonNode max = body.path("max_tokens");
        return new ChatRequest(
                body.get("model").asText(),
                body.path("stream").asBoolean(false),
                last,
                prompt,
                max.isNumber() ? max.asInt() : null,
                stop,
                body,
                asks);
    }

    /** A message's text: a string, or its text parts put together (image parts have none). */
    static String text(JsonNode content) {
        if (!content.isArray()) {
            return content.asText("");
        }
        StringBuilder text = new StringBuilder();
        content.forEach(part -> text.append(part.path("text").asText("")));
        return text.toString();
    }

    private static WireReply notFound(String model) {
        return new WireReply(
                404,
                message("model '" + model + "' not found, make sure the correct model ID was used and "
                        + "that you have access to the model."));
    }

    @Override
    public WireReply unknownModel(ChatRequest chat) {
        return notFound(chat.model());
    }

    @Override
    public WireReply other(HttpServerRequest request, List<String> models) {
        if (!request.path().startsWith("/v1/models")) {
            return new WireReply(404, message("not found"));
        }
        if (apiKey(request) == null) {
            return new WireReply(401, message("no api key supplied"));
        }
        String endpoint = request.getParam("endpoint");
        ObjectNode list = Json.object();
        ArrayNode out = list.putArray("models");
        models.forEach(m -> {
            String serves = CohereEmbeddings.isEmbeddingModel(m) ? "embed" : "chat";
            if (endpoint != null && !endpoint.equals(serves)) {
                return;
            }
            ObjectNode e =
                    out.addObject().put("name", m).put("finetuned", false).put("context_length", 128000);
            e.putArray("endpoints").add(serves);
        });
        list.putNull("next_page_token");
        return new WireReply(200, list);
    }

    @Override
    public WireReply refusal(Fault fault, String model) {
        if (fault instanceof Fault.RateLimited) {
            return new WireReply(
                    429, message("You are past the per minute request limit, please wait and try again later."));
        }
        if (fault instanceof Fault.QuotaExhausted) {
            return new WireReply(
                    429,
                    message(
                            "You are using a Trial key, which is limited to 1000 API calls / month. You "
                                    + "can continue to use the Trial key for free or upgrade to a Production key with higher rate limits."));
        }
        if (fault instanceof Fault.InvalidKey) {
            return new WireReply(401, message("invalid api token"));
        }
        if (fault instanceof Fault.ModelNotFound) {
            return notFound(model);
        }
        int code = WireReply.status(fault);
        return new WireReply(
                code,
                message(
                        code == 503
                                ? "service unavailable"
                                : code == 400 ? "invalid request" : "internal server error"));
    }

    // ---- answers ----

    private static String finish(ChatWire.Answer a) {
        if (a.callsTools()) {
            return "TOOL_CALL";
        }
        return switch (a.finish()) {
            case LENGTH -> "MAX_TOKENS";
            case STOP_SEQUENCE -> "STOP_SEQUENCE";
            case NATURAL -> "COMPLETE";
        };
    }

    private static ObjectNode usage(ChatWire.Answer a) {
        ObjectNode u = Json.object();
        u.putObject("billed_units").put("input_tokens", a.promptTokens()).put("output_tokens", a.completionTokens());
        u.putObject("tokens")
                .put("input_tokens", a.promptTokens() + TEMPLATE_TOKENS)
                .put("output_tokens", a.completionTokens());
        return u;
    }

    private static String event(String name, ObjectNode data) {
        return "event: " + name + "\ndata: " + Json.text(data.put("type", name)) + "\n\n";
    }

    /** An event's JSON with its {@code type} first, as Cohere writes it. */
    private static ObjectNode typed(String name) {
        return Json.object().put("type", name);
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    /** Whether the answer has a text block: any answer but one that only calls tools. */
    private static boolean hasText(ChatWire.Answer a) {
        return !a.callsTools() || !a.text().isEmpty();
    }

    /** What the model says it will do before its calls, as Cohere's models do. */
    private static String toolPlan(ChatWire.Answer a) {
        return "I will use "
                + String.join(
                        " and ", a.toolCalls().stream().map(Asks.Call::name).toList())
                + " to answer this.";
    }

    /** A call as Cohere writes it, its arguments as JSON text ({@code arguments} replaced when given). */
    private static ObjectNode call(Asks.Call call, String arguments) {
        ObjectNode c = Json.object().put("id", call.id()).put("type", "function");
        c.putObject("function")
                .put("name", call.name())
                .put("arguments", arguments != null ? arguments : Json.text(call.arguments()));
        return c;
    }

    /**
     * The plan one word a frame, then each call: its start (id, name, no arguments yet), its arguments' JSON text in
     * pieces of a third or so (two at the least), its end. Each call's events carry its {@code index}.
     */
    @Override
    public List<String> toolCallFrames(ChatWire.Answer a) {
        List<String> frames = new ArrayList<>();
        if (!a.callsTools()) {
            return frames;
        }
        for (String word : Generation.chunks(toolPlan(a))) {
            ObjectNode plan = typed("tool-plan-delta");
            plan.putObject("delta").putObject("message").put("tool_plan", word);
            frames.add(event("tool-plan-delta", plan));
        }
        for (int i = 0; i < a.toolCalls().size(); i++) {
            Asks.Call c = a.toolCalls().get(i);
            ObjectNode start = typed("tool-call-start").put("index", i);
            start.putObject("delta").putObject("message").set("tool_calls", call(c, ""));
            frames.add(event("tool-call-start", start));
            String arguments = Json.text(c.arguments());
            int piece = Math.max(1, (arguments.length() + 2) / 3);
            for (int at = 0; at < arguments.length(); at += piece) {
                ObjectNode delta = typed("tool-call-delta").put("index", i);
                delta.putObject("delta")
                        .putObject("message")
                        .putObject("tool_calls")
                        .putObject("function")
                        .put("arguments", arguments.substring(at, Math.min(arguments.length(), at + piece)));
                frames.add(event("tool-call-delta", delta));
            }
            frames.add(event("tool-call-end", typed("tool-call-end").put("index", i)));
        }
        return frames;
    }

    @Override
    public String open(ChatWire.Answer a) {
        ObjectNode start = Json.object().put("id", a.id()).put("type", "message-start");
        ObjectNode message = start.putObject("delta").putObject("message").put("role", "assistant");
        message.putArray("content");
        message.put("tool_plan", "");
        message.putArray("tool_calls");
        message.putArray("citations");
        if (!hasText(a)) {
            return event("message-start", start);
        }
        ObjectNode contentStart = typed("content-start").put("index", 0);
        contentStart
                .putObject("delta")
                .putObject("message")
                .putObject("content")
                .put("type", "text")
                .put("text", "");
        return event("message-start", start) + event("content-start", contentStart);
    }

    @Override
    public String chunk(ChatWire.Answer a, String text, int index) {
        ObjectNode delta = typed("content-delta").put("index", 0);
        delta.putObject("delta").putObject("message").putObject("content").put("text", text);
        return event("content-delta", delta);
    }

    @Override
    public String close(ChatWire.Answer a) {
        ObjectNode end = typed("message-end");
        end.putObject("delta").put("finish_reason", finish(a)).set("usage", usage(a));
        String contentEnd =
                hasText(a) ? event("content-end", typed("content-end").put("index", 0)) : "";
        return contentEnd + event("message-end", end) + "data: [DONE]\n\n";
    }

    @Override
    public String inStreamError(String message) {
        ObjectNode end = typed("message-end");
        end.putObject("delta").put("finish_reason", "ERROR").put("error", message);
        return event("message-end", end);
    }

    @Override
    public String malformed() {
        return "event: content-delta\ndata: {\"type\":\"content-delta\",\"delta\":\n\n";
    }

    @Override
    public JsonNode complete(ChatWire.Answer a) {
        ObjectNode r = Json.object().put("id", a.id());
        ObjectNode message = r.putObject("message").put("role", "assistant");
        if (hasText(a)) {
            message.putArray("content").addObject().put("type", "text").put("text", a.text());
        }
        if (a.callsTools()) {
            message.put("tool_plan", toolPlan(a));
            ArrayNode calls = message.putArray("tool_calls");
            a.toolCalls().forEach(c -> calls.add(call(c, null)));
        }
        r.put("finish_reason", finish(a)).set("usage", usage(a));
        return r;
    }
}
