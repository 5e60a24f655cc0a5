package dev.cortex.sim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;


/**
 * Groq's OpenAI-compatible API under {@code /openai/v1}: chat completions (JSON, or SSE with {@code x_groq} on the
 * first and finish chunks, the usage chunk when asked, then {@code [DONE]}), the model list, Bearer keys, Groq's
 * 400s for fields it rejects, and its rate-limit headers on every response.
 */
public final class GroqSimulator extends ProviderSimulator implements ChatWire {

    private static final List<String> MODELS = List.of("llama-3.1-8b-instant", "llama-3.3-70b-versatile");
    private static final String PREFIX = "/openai/v1";

    @Override
    public String baseUrl() {
        return origin() + PREFIX;
    }

    @Override
    public String name() {
        return "groq";
    }

    @Override
    protected String apiKey(HttpServerRequest request) {
        return bearer(request);
    }

    @Override
    protected void handle(HttpServerRequest request, Buffer raw) {
        String path = request.path();
        HttpServerResponse response = request.response();
        rateLimitHeaders(response, false);
        if (path.equals(PREFIX + "/chat/completions") && request.method().name().equals("POST")) {
            JsonNode body = json(raw);
            String rejected = body == null ? "body is not JSON" : rejectedField(body);
            if (rejected != null) {
                sendJson(response, 400, error(rejected, "invalid_request_error", null));
                return;
            }
            int prompt = 0;
            for (JsonNode m : body.path("messages")) {
                prompt += words(m.path("content").asText(""));
            }
            String model = body.path("model").asText("llama-3.1-8b-instant");
            if (!MODELS.contains(model) && !profiled(model)) {
                sendJson(response, 404, error("The model `" + model + "` does not exist or you do not have access to it.",
                        "invalid_request_error", "model_not_found"));
                return;
            }
            playChat(request, body, body.path("stream").asBoolean(false), model, prompt, this);
        } else if (path.equals(PREFIX + "/models") && apiKey(request) != null) {
            ObjectNode list = Json.object().put("object", "list");
            ArrayNode data = list.putArray("data");
            MODELS.forEach(m -> data.addObject().put("id", m).put("object", "model").put("created", 1693721698)
                    .put("owned_by", "Meta").put("active", true).put("context_window", 131072));
            sendJson(response, 200, list);
        } else if (path.startsWith(PREFIX + "/models")) {
            sendJson(response, 401, error("Invalid API Key", "invalid_request_error", "invalid_api_key"));
        } else {
            sendJson(response, 404, error("Unknown request URL: " + path, "invalid_request_error", "unknown_url"));
        }
    }

    private static String rejectedField(JsonNode body) {
        for (String field : List.of("logprobs", "logit_bias", "top_logprobs")) {
            if (body.has(field)) {
                return "'" + field + "' : property '" + field + "' is unsupported";
            }
        }
        if (body.path("n").asInt(1) != 1) {
            return "'n' : number must be at most 1";
        }
        for (JsonNode m : body.path("messages")) {
            if (m.has("name")) {
                return "'messages.name' : property 'name' is unsupported";
            }
        }
        return null;
    }

    private static ObjectNode error(String message, String type, String code) {
        ObjectNode e = Json.object();
        e.putObject("error").put("message", message).put("type", type).put("code", code);
        return e;
    }

    private static void rateLimitHeaders(HttpServerResponse response, boolean exhausted) {
        response.putHeader("x-ratelimit-limit-requests", "14400")
                .putHeader("x-ratelimit-limit-tokens", "6000")
                .putHeader("x-ratelimit-remaining-requests", exhausted ? "0" : "14399")
                .putHeader("x-ratelimit-remaining-tokens", exhausted ? "0" : "5843")
                .putHeader("x-ratelimit-reset-requests", exhausted ? "2h24m0s" : "6s")
                .putHeader("x-ratelimit-reset-tokens", "7.66s")
                .putHeader("x-request-id", "req_sim");
    }

    @Override
    public void refuse(HttpServerResponse response, Fault fault) {
        if (fault instanceof Fault.RateLimited r) {
            long seconds = Math.max(0, (long) Math.ceil(r.retryAfter().toMillis() / 1000.0));
            response.putHeader("retry-after", Long.toString(seconds));
            sendJson(response, 429, error("Rate limit reached for model `llama-3.1-8b-instant` in organization `org_sim` "
                    + "service tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 5900, Requested 400. "
                    + "Please try again in " + seconds(r.retryAfter()) + ". Visit https://console.groq.com/docs/rate-limits "
                    + "for more information.", "tokens", "rate_limit_exceeded"));
        } else if (fault instanceof Fault.QuotaExhausted) {
            rateLimitHeaders(response, true);
            response.putHeader("retry-after", "8640");
            sendJson(response, 429, error("Rate limit reached for model `llama-3.1-8b-instant` in organization "
                    + "`org_sim` service tier `on_demand` on requests per day (RPD): Limit 14400, Used 14400, "
                    + "Requested 1. Please try again in 2h24m0s.", "requests", "rate_limit_exceeded"));
        } else if (fault instanceof Fault.InvalidKey) {
            sendJson(response, 401, error("Invalid API Key", "invalid_request_error", "invalid_api_key"));
        } else if (fault instanceof Fault.ModelNotFound) {
            sendJson(response, 404, error("The model `x` does not exist or you do not have access to it.",
                    "invalid_request_error", "model_not_found"));
        } else {
            int code = fault instanceof Fault.Status s ? s.code() : 500;
            String message = code == 400 ? "Bad request" : code == 413 ? "Request Entity Too Large"
                    : code == 498 ? "Flex tier capacity exceeded" : code == 503 ? "Service Unavailable" : "Internal Server Error";
            sendJson(response, code, error(message, code >= 500 ? "server_error" : "invalid_request_error", null));
        }
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    private static String chunk(ChatWire.Answer a, String delta, String finish, String extra) {
        return "data: {\"id\":\"chatcmpl-" + a.id() + "\",\"object\":\"chat.completion.chunk\",\"created\":1761231344,"
                + "\"model\":\"" + a.model() + "\",\"system_fingerprint\":\"fp_sim\",\"choices\":[{\"index\":0,\"delta\":"
                + delta + ",\"logprobs\":null,\"finish_reason\":" + finish + "}]" + extra + "}\n\n";
    }

    private static String usage(ChatWire.Answer a) {
        return "{\"queue_time\":0.01,\"prompt_tokens\":" + a.promptTokens() + ",\"prompt_time\":0.001,\"completion_tokens\":"
                + a.completionTokens() + ",\"completion_time\":0.002,\"total_tokens\":" + (a.promptTokens() + a.completionTokens())
                + ",\"total_time\":0.003}";
    }

    @Override
    public String open(ChatWire.Answer a) {
        return chunk(a, "{\"role\":\"assistant\",\"content\":\"\"}", "null", ",\"x_groq\":{\"id\":\"req_sim\"}");
    }

    @Override
    public String chunk(ChatWire.Answer a, String text, int index) {
        return chunk(a, "{\"content\":" + quote(text) + "}", "null", "");
    }

    @Override
    public String close(ChatWire.Answer a) {
        String usage = usage(a);
        boolean includeUsage = a.request().path("stream_options").path("include_usage").asBoolean(false);
        StringBuilder out = new StringBuilder(chunk(a, "{}", "\"" + (a.finishReason().equals("stop") ? "stop" : "length") + "\"",
                ",\"x_groq\":{\"id\":\"req_sim\",\"usage\":" + usage + "}" + (includeUsage ? ",\"usage\":" + usage : "")));
        if (includeUsage) {
            out.append("data: {\"id\":\"chatcmpl-").append(a.id()).append("\",\"object\":\"chat.completion.chunk\",")
                    .append("\"created\":1761231344,\"model\":\"").append(a.model())
                    .append("\",\"choices\":[],\"usage\":").append(usage).append(",\"service_tier\":\"on_demand\"}\n\n");
        }
        return out.append("data: [DONE]\n\n").toString();
    }

    @Override
    public String inStreamError(String message) {
        return "event: error\ndata: {\"error\":{\"message\":" + quote(message) + ",\"type\":\"server_error\"}}\n\n";
    }

    @Override
    public String malformed() {
        return "data: {\"id\":\"chatcmpl-broken\",\"choices\":[{\"delta\":{\"content\":\n\n";
    }

    @Override
    public void complete(HttpServerResponse response, ChatWire.Answer a) {
        String body = "{\"id\":\"chatcmpl-" + a.id() + "\",\"object\":\"chat.completion\",\"created\":1761231344,\"model\":\""
                + a.model() + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(a.text())
                + "},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":" + usage(a)
                + ",\"system_fingerprint\":\"fp_sim\",\"x_groq\":{\"id\":\"req_sim\"}}";
        sendJson(response, 200, body);
    }

    static String quote(String s) {
        return Json.MAPPER.valueToTree(s).toString();
    }
}
