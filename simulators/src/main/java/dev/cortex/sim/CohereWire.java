package dev.cortex.sim;

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
 * (finish {@code MAX_TOKENS}) and {@code stop_sequences} (finish {@code STOP_SEQUENCE}).
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
        return List.of("command-r-08-2024", "command-a-03-2025");
    }

    @Override
    public String apiKey(HttpServerRequest request) {
        return GroqWire.bearer(request);
    }

    @Override
    public boolean isChat(HttpServerRequest request) {
        return request.path().equals("/v2/chat") && request.method().name().equals("POST");
    }

    private static ObjectNode message(String message) {
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
                body);
    }

    /** A message's text: a string, or its text parts put together. */
    private static String text(JsonNode content) {
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
        ObjectNode list = Json.object();
        ArrayNode out = list.putArray("models");
        models.forEach(m -> {
            ObjectNode e =
                    out.addObject().put("name", m).put("finetuned", false).put("context_length", 128000);
            e.putArray("endpoints").add("chat");
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

    @Override
    public String open(ChatWire.Answer a) {
        ObjectNode start = Json.object().put("id", a.id()).put("type", "message-start");
        ObjectNode message = start.putObject("delta").putObject("message").put("role", "assistant");
        message.putArray("content");
        message.put("tool_plan", "");
        message.putArray("tool_calls");
        message.putArray("citations");
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
        return event("content-end", typed("content-end").put("index", 0)) + event("message-end", end)
                + "data: [DONE]\n\n";
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
        message.putArray("content").addObject().put("type", "text").put("text", a.text());
        r.put("finish_reason", finish(a)).set("usage", usage(a));
        return r;
    }
}
