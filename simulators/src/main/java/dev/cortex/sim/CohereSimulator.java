package dev.cortex.sim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;


/**
 * Cohere's v2 chat ({@code /v2/chat}: JSON, or SSE with named events from {@code message-start} to
 * {@code message-end}, then an optional {@code [DONE]}), the model list ({@code /v1/models}), Bearer keys, and flat
 * {@code {"message": ...}} errors. Usage reports {@code tokens} (with Cohere's own prompt template counted) apart from
 * the smaller {@code billed_units}.
 */
public final class CohereSimulator extends ProviderSimulator implements ChatWire {

    private static final List<String> MODELS = List.of("command-r-08-2024", "command-a-03-2025");
    private static final int TEMPLATE_TOKENS = 165; // Cohere's prompt template: counted in tokens, not billed

    @Override
    public String baseUrl() {
        return origin();
    }

    @Override
    public String name() {
        return "cohere";
    }

    @Override
    protected String apiKey(HttpServerRequest request) {
        return bearer(request);
    }

    @Override
    protected void handle(HttpServerRequest request, Buffer raw) {
        HttpServerResponse response = request.response();
        String path = request.path();
        if (path.equals("/v2/chat") && request.method().name().equals("POST")) {
            JsonNode body = json(raw);
            if (body == null || !body.has("model") || !body.path("messages").isArray()) {
                message(response, 400, "invalid request: model and messages are required.");
                return;
            }
            if (!MODELS.contains(body.path("model").asText())) {
                message(response, 404, "model '" + body.path("model").asText() + "' not found, make sure the correct model "
                        + "ID was used and that you have access to the model.");
                return;
            }
            int prompt = 0;
            for (JsonNode m : body.path("messages")) {
                prompt += words(m.path("content").asText(""));
            }
            playChat(request, body, body.path("stream").asBoolean(false), body.path("model").asText(), prompt, this);
        } else if (path.startsWith("/v1/models")) {
            if (apiKey(request) == null) {
                message(response, 401, "no api key supplied");
                return;
            }
            ObjectNode list = Json.object();
            ArrayNode models = list.putArray("models");
            MODELS.forEach(m -> {
                ObjectNode e = models.addObject().put("name", m).put("finetuned", false).put("context_length", 128000);
                e.putArray("endpoints").add("chat");
            });
            list.putNull("next_page_token");
            sendJson(response, 200, list);
        } else {
            message(response, 404, "not found");
        }
    }

    private static void message(HttpServerResponse response, int code, String message) {
        sendJson(response, code, Json.object().put("message", message));
    }

    @Override
    public void refuse(HttpServerResponse response, Fault fault) {
        if (fault instanceof Fault.RateLimited) {
            message(response, 429, "You are past the per minute request limit, please wait and try again later.");
        } else if (fault instanceof Fault.QuotaExhausted) {
            message(response, 429, "You are using a Trial key, which is limited to 1000 API calls / month. You can continue "
                    + "to use the Trial key for free or upgrade to a Production key with higher rate limits.");
        } else if (fault instanceof Fault.InvalidKey) {
            message(response, 401, "invalid api token");
        } else if (fault instanceof Fault.ModelNotFound) {
            message(response, 404, "model 'x' not found, make sure the correct model ID was used and that you have access to the model.");
        } else {
            int code = fault instanceof Fault.Status s ? s.code() : 500;
            message(response, code, code == 503 ? "service unavailable" : code == 400 ? "invalid request"
                    : "internal server error");
        }
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    private static String event(String name, String json) {
        return "event: " + name + "\ndata: " + json + "\n\n";
    }

    @Override
    public String open(ChatWire.Answer a) {
        return event("message-start", "{\"id\":\"" + a.id() + "\",\"type\":\"message-start\",\"delta\":{\"message\":"
                + "{\"role\":\"assistant\",\"content\":[],\"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}")
                + event("content-start", "{\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":{\"content\":"
                + "{\"type\":\"text\",\"text\":\"\"}}}}");
    }

    @Override
    public String chunk(ChatWire.Answer a, String text, int index) {
        return event("content-delta", "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":"
                + GroqSimulator.quote(text) + "}}}}");
    }

    private static String usage(ChatWire.Answer a) {
        return "{\"billed_units\":{\"input_tokens\":" + a.promptTokens() + ",\"output_tokens\":" + a.completionTokens()
                + "},\"tokens\":{\"input_tokens\":" + (a.promptTokens() + TEMPLATE_TOKENS) + ",\"output_tokens\":"
                + a.completionTokens() + "}}";
    }

    @Override
    public String close(ChatWire.Answer a) {
        return event("content-end", "{\"type\":\"content-end\",\"index\":0}")
                + event("message-end", "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":"
                + usage(a) + "}}") + "data: [DONE]\n\n";
    }

    @Override
    public String inStreamError(String message) {
        return event("message-end", "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"ERROR\",\"error\":"
                + GroqSimulator.quote(message) + "}}");
    }

    @Override
    public String malformed() {
        return "event: content-delta\ndata: {\"type\":\"content-delta\",\"delta\":\n\n";
    }

    @Override
    public void complete(HttpServerResponse response, ChatWire.Answer a) {
        sendJson(response, 200, "{\"id\":\"" + a.id() + "\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
                + "\"text\":" + GroqSimulator.quote(a.text()) + "}]},\"finish_reason\":\"COMPLETE\",\"usage\":" + usage(a) + "}");
    }
}
