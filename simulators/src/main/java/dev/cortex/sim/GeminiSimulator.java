package dev.cortex.sim;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;


/**
 * Google's Gemini API under {@code /v1beta}: {@code models/{m}:generateContent} and
 * {@code :streamGenerateContent?alt=sse} (events ended by {@code \r\n\r\n}, no end marker, usage growing on every
 * chunk, the finish reason on the last), the model list, keys by {@code x-goog-api-key} or {@code ?key=} (missing:
 * 403; wrong: 400 {@code API_KEY_INVALID}), and Gemini's strictness about unknown fields and roles.
 */
public final class GeminiSimulator extends ProviderSimulator implements ChatWire {

    private static final List<String> MODELS = List.of("gemini-2.0-flash", "gemini-2.5-flash");
    private static final Set<String> FIELDS = Set.of("contents", "systemInstruction", "system_instruction",
            "generationConfig", "generation_config", "safetySettings", "safety_settings", "tools", "toolConfig",
            "tool_config", "cachedContent", "cached_content");
    private static final String PREFIX = "/v1beta";

    @Override
    public String baseUrl() {
        return origin() + PREFIX;
    }

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    protected String apiKey(HttpServerRequest request) {
        String header = request.getHeader("x-goog-api-key");
        return header != null ? header : request.getParam("key");
    }

    @Override
    protected void handle(HttpServerRequest request, Buffer raw) {
        HttpServerResponse response = request.response();
        String path = request.path();
        if (path.startsWith(PREFIX + "/models/") && path.contains(":")) {
            String model = path.substring((PREFIX + "/models/").length(), path.indexOf(':'));
            String method = path.substring(path.indexOf(':') + 1);
            JsonNode body = json(raw);
            if (apiKey(request) == null) {
                error(response, 403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without "
                        + "established identity). Please use API Key or other form of API consumer identity to call this API.", null);
                return;
            }
            String invalid = body == null ? "Invalid JSON payload received." : invalid(body);
            if (invalid != null) {
                error(response, 400, "INVALID_ARGUMENT", invalid, null);
                return;
            }
            if (!MODELS.contains(model)) {
                error(response, 404, "NOT_FOUND", "models/" + model + " is not found for API version v1beta, or is not "
                        + "supported for generateContent. Call ListModels to see the list of available models.", null);
                return;
            }
            int prompt = 0;
            for (JsonNode turn : body.path("contents")) {
                for (JsonNode part : turn.path("parts")) {
                    prompt += words(part.path("text").asText(""));
                }
            }
            JsonNode system = body.has("systemInstruction") ? body.get("systemInstruction") : body.path("system_instruction");
            for (JsonNode part : system.path("parts")) {
                prompt += words(part.path("text").asText(""));
            }
            boolean stream = method.equals("streamGenerateContent");
            playChat(request, body, stream, model, prompt, this);
        } else if (path.equals(PREFIX + "/models") || path.startsWith(PREFIX + "/models/")) {
            if (apiKey(request) == null) {
                error(response, 403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", null);
                return;
            }
            ObjectNode list = Json.object();
            ArrayNode models = list.putArray("models");
            for (String m : MODELS) {
                ObjectNode e = models.addObject().put("name", "models/" + m).put("version", "001")
                        .put("displayName", m).put("inputTokenLimit", 1048576).put("outputTokenLimit", 65536);
                e.putArray("supportedGenerationMethods").add("generateContent").add("countTokens");
            }
            sendJson(response, 200, list);
        } else {
            error(response, 404, "NOT_FOUND", "Not found: " + path, null);
        }
    }

    private static String invalid(JsonNode body) {
        var names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return "Invalid JSON payload received. Unknown name \"" + name + "\": Cannot find field.";
            }
        }
        for (JsonNode turn : body.path("contents")) {
            String role = turn.path("role").asText("user");
            if (!role.equals("user") && !role.equals("model")) {
                return "Please use a valid role: user, model.";
            }
        }
        return null;
    }

    private static void error(HttpServerResponse response, int code, String status, String message, ArrayNode details) {
        ObjectNode body = Json.object();
        ObjectNode e = body.putObject("error").put("code", code).put("message", message).put("status", status);
        if (details != null) {
            e.set("details", details);
        }
        sendJson(response, code, body);
    }

    private static ArrayNode quotaDetails(String quotaId, String retryDelay) {
        ArrayNode details = Json.MAPPER.createArrayNode();
        ObjectNode failure = details.addObject().put("@type", "type.googleapis.com/google.rpc.QuotaFailure");
        failure.putArray("violations").addObject()
                .put("quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests")
                .put("quotaId", quotaId).put("quotaValue", "10");
        details.addObject().put("@type", "type.googleapis.com/google.rpc.Help");
        if (retryDelay != null) {
            details.addObject().put("@type", "type.googleapis.com/google.rpc.RetryInfo").put("retryDelay", retryDelay);
        }
        return details;
    }

    @Override
    public void refuse(HttpServerResponse response, Fault fault) {
        if (fault instanceof Fault.RateLimited r) {
            long seconds = Math.max(0, (long) Math.ceil(r.retryAfter().toMillis() / 1000.0));
            error(response, 429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing "
                    + "details. Please retry in " + seconds(r.retryAfter()) + ".",
                    quotaDetails("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", seconds + "s"));
        } else if (fault instanceof Fault.QuotaExhausted) {
            error(response, 429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.",
                    quotaDetails("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "43200s"));
        } else if (fault instanceof Fault.InvalidKey) {
            ArrayNode details = Json.MAPPER.createArrayNode();
            details.addObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo").put("reason", "API_KEY_INVALID")
                    .put("domain", "googleapis.com");
            error(response, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", details);
        } else if (fault instanceof Fault.ModelNotFound) {
            error(response, 404, "NOT_FOUND", "models/x is not found for API version v1beta.", null);
        } else {
            int code = fault instanceof Fault.Status s ? s.code() : 500;
            String status = code == 503 ? "UNAVAILABLE" : code == 504 ? "DEADLINE_EXCEEDED" : code == 400 ? "INVALID_ARGUMENT"
                    : code == 403 ? "PERMISSION_DENIED" : code == 401 ? "UNAUTHENTICATED" : "INTERNAL";
            error(response, code, status, code == 503 ? "The model is overloaded. Please try again later."
                    : "An internal error has occurred.", null);
        }
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    @Override
    public String open(ChatWire.Answer a) {
        return "";
    }

    private static String response(ChatWire.Answer a, String text, String finishReason, int candidates) {
        String parts = text == null ? "" : "\"parts\": [{\"text\": " + GroqSimulator.quote(text) + "}],";
        return "{\"candidates\": [{\"content\": {" + parts + "\"role\": \"model\"}"
                + (finishReason == null ? "" : ",\"finishReason\": \"" + finishReason + "\"") + ",\"index\": 0}],"
                + "\"usageMetadata\": {\"promptTokenCount\": " + a.promptTokens() + ",\"candidatesTokenCount\": " + candidates
                + ",\"totalTokenCount\": " + (a.promptTokens() + candidates) + "},\"modelVersion\": \"" + a.model()
                + "\",\"responseId\": \"" + a.id() + "\"}";
    }

    @Override
    public String chunk(ChatWire.Answer a, String text, int index) {
        return "data: " + response(a, text, null, index + 1) + "\r\n\r\n";
    }

    @Override
    public String close(ChatWire.Answer a) {
        if (a.text().isEmpty()) { // a blocked answer: a finish reason and no parts at all
            return "data: " + response(a, null, a.finishReason().equals("stop") ? "SAFETY" : a.finishReason(), 0) + "\r\n\r\n";
        }
        return "data: " + response(a, "", "STOP", a.completionTokens()) + "\r\n\r\n";
    }

    @Override
    public String inStreamError(String message) {
        return "data: {\"error\": {\"code\": 500, \"message\": " + GroqSimulator.quote(message) + ", \"status\": \"INTERNAL\"}}\r\n\r\n";
    }

    @Override
    public String malformed() {
        return "data: {\"candidates\": [{\"content\": \r\n\r\n";
    }

    @Override
    public void complete(HttpServerResponse response, ChatWire.Answer a) {
        sendJson(response, 200, a.text().isEmpty()
                ? response(a, null, a.finishReason().equals("stop") ? "SAFETY" : a.finishReason(), 0)
                : response(a, a.text(), "STOP", a.completionTokens()));
    }
}
