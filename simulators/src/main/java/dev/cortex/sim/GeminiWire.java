package dev.cortex.sim;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;

/**
 * Google's Gemini wire format under {@code /v1beta}: {@code models/{m}:generateContent} and
 * {@code :streamGenerateContent?alt=sse} (events ended by {@code \r\n\r\n}, no end marker, usage growing on every
 * chunk, the finish reason on the last), the model list, keys by {@code x-goog-api-key} or {@code ?key=} (missing:
 * 403; wrong: 400 {@code API_KEY_INVALID}), and Gemini's strictness about unknown fields and roles (its Google RPC
 * error bodies, quota failures and fault replies are built by {@link GeminiRefusals}). Honours
 * {@code generationConfig.maxOutputTokens} (finish {@code MAX_TOKENS}) and {@code stopSequences}. Tools, tool results,
 * structured output and images are read by {@link GeminiAsks}; the model's calls go back as {@code functionCall} parts
 * (in the last chunk of a stream, with the finish reason). Embeddings ({@code :batchEmbedContents},
 * {@code :embedContent}) are {@link GeminiEmbeddings}'.
 */
final class GeminiWire implements ChatWire {

    private static final String PREFIX = "/v1beta";
    private static final Set<String> FIELDS = Set.of(
            "contents",
            "systemInstruction",
            "system_instruction",
            "generationConfig",
            "generation_config",
            "safetySettings",
            "safety_settings",
            "tools",
            "toolConfig",
            "tool_config",
            "cachedContent",
            "cached_content");

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public String pathPrefix() {
        return PREFIX;
    }

    @Override
    public List<String> defaultModels() {
        return List.of("gemini-2.0-flash", "gemini-2.5-flash", GeminiEmbeddings.MODEL);
    }

    @Override
    public String apiKey(HttpServerRequest request) {
        String header = request.getHeader("x-goog-api-key");
        return header != null ? header : request.getParam("key");
    }

    @Override
    public boolean isChat(HttpServerRequest request) {
        String path = request.path();
        return path.startsWith(PREFIX + "/models/")
                && (path.endsWith(":generateContent") || path.endsWith(":streamGenerateContent"));
    }

    @Override
    public boolean isEmbedding(HttpServerRequest request) {
        String path = request.path();
        return path.startsWith(PREFIX + "/models/")
                && (path.endsWith(":batchEmbedContents") || path.endsWith(":embedContent"));
    }

    @Override
    public EmbedRequest readEmbedding(HttpServerRequest request, JsonNode body) {
        String path = request.path();
        if (apiKey(request) == null) {
            throw GeminiRefusals.noKeyOnChat();
        }
        return GeminiEmbeddings.read(
                path.substring((PREFIX + "/models/").length(), path.lastIndexOf(':')),
                path.endsWith(":batchEmbedContents"),
                body);
    }

    @Override
    public JsonNode embeddings(EmbedRequest request, List<float[]> vectors) {
        return GeminiEmbeddings.answer(request, vectors);
    }

    @Override
    public ChatRequest read(HttpServerRequest request, JsonNode body) {
        String path = request.path();
        String model = path.substring((PREFIX + "/models/").length(), path.lastIndexOf(':'));
        if (apiKey(request) == null) {
            throw GeminiRefusals.noKeyOnChat();
        }
        if (body == null || !body.isObject()) {
            throw GeminiRefusals.invalid("Invalid JSON payload received. Expected an object.");
        }
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw GeminiRefusals.invalid(
                        "Invalid JSON payload received. Unknown name \"" + name + "\": Cannot find field.");
            }
        });
        if (!body.path("contents").isArray() || body.path("contents").isEmpty()) {
            throw GeminiRefusals.invalid("* GenerateContentRequest.contents: contents is not specified");
        }
        int prompt = 0;
        String last = null;
        for (JsonNode turn : body.path("contents")) {
            String role = turn.path("role").asText("user");
            if (!role.equals("user") && !role.equals("model")) {
                throw GeminiRefusals.invalid("Please use a valid role: user, model.");
            }
            StringBuilder text = new StringBuilder();
            boolean anyText = false;
            for (JsonNode part : turn.path("parts")) {
                anyText |= part.has("text");
                text.append(part.path("text").asText(""));
                prompt += Generation.words(part.path("text").asText(""));
            }
            if (role.equals("user") && anyText) { // a turn of function responses only is no prompt
                last = text.toString();
            }
        }
        JsonNode system =
                body.has("systemInstruction") ? body.get("systemInstruction") : body.path("system_instruction");
        for (JsonNode part : system.path("parts")) {
            prompt += Generation.words(part.path("text").asText(""));
        }
        JsonNode config = body.has("generationConfig") ? body.get("generationConfig") : body.path("generation_config");
        JsonNode max = config.has("maxOutputTokens") ? config.get("maxOutputTokens") : config.path("max_output_tokens");
        JsonNode stops = config.has("stopSequences") ? config.get("stopSequences") : config.path("stop_sequences");
        List<String> stop = Json.strings(stops);
        return new ChatRequest(
                model,
                path.endsWith(":streamGenerateContent"),
                last,
                prompt,
                max.isNumber() && max.asInt() > 0 ? max.asInt() : null,
                stop,
                body,
                GeminiAsks.read(body));
    }

    @Override
    public WireReply unknownModel(ChatRequest chat) {
        return GeminiRefusals.notFound(chat.model());
    }

    @Override
    public WireReply other(HttpServerRequest request, List<String> models) {
        String path = request.path();
        if (!path.equals(PREFIX + "/models") && !path.startsWith(PREFIX + "/models/")) {
            return GeminiRefusals.unknownPath(path);
        }
        if (apiKey(request) == null) {
            return GeminiRefusals.noKeyOnModels();
        }
        ObjectNode list = Json.object();
        ArrayNode out = list.putArray("models");
        for (String m : models) {
            ObjectNode e = out.addObject()
                    .put("name", "models/" + m)
                    .put("version", "001")
                    .put("displayName", m)
                    .put("inputTokenLimit", 1048576)
                    .put("outputTokenLimit", 65536);
            if (m.contains("embedding")) {
                e.putArray("supportedGenerationMethods").add("embedContent").add("batchEmbedContents");
            } else {
                e.putArray("supportedGenerationMethods").add("generateContent").add("countTokens");
            }
        }
        return new WireReply(200, list);
    }

    @Override
    public WireReply refusal(Fault fault, String model) {
        return GeminiRefusals.refusal(fault, model);
    }

    // ---- answers ----

    /**
     * One GenerateContentResponse: {@code text} null for a candidate without parts, {@code finish} null mid-stream;
     * the answer's calls as {@code functionCall} parts after the text when {@code calls} (Gemini sends each call
     * whole, names no id, and ends such a turn with STOP, as any other).
     */
    private static ObjectNode response(ChatWire.Answer a, String text, boolean calls, String finish, int candidates) {
        ObjectNode r = Json.object();
        ObjectNode candidate = r.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        if (text != null || calls) {
            ArrayNode parts = content.putArray("parts");
            if (text != null) {
                parts.addObject().put("text", text);
            }
            if (calls) {
                for (Asks.Call call : a.toolCalls()) {
                    parts.addObject()
                            .putObject("functionCall")
                            .put("name", call.name())
                            .set("args", call.arguments());
                }
            }
        }
        content.put("role", "model");
        if (finish != null) {
            candidate.put("finishReason", finish);
        }
        candidate.put("index", 0);
        r.putObject("usageMetadata")
                .put("promptTokenCount", a.promptTokens())
                .put("candidatesTokenCount", candidates)
                .put("totalTokenCount", a.promptTokens() + candidates);
        return r.put("modelVersion", a.model()).put("responseId", a.id());
    }

    private static String finish(ChatWire.Answer a) {
        return a.finish() == Generation.Finish.LENGTH ? "MAX_TOKENS" : "STOP";
    }

    /** A blocked answer (a finish reason and no parts at all), or null. */
    private static ObjectNode blocked(ChatWire.Answer a) {
        return a.blocked() == null
                ? null
                : response(a, null, false, a.blocked().equals("stop") ? "SAFETY" : a.blocked(), 0);
    }

    private static String data(JsonNode json) {
        return "data: " + Json.text(json) + "\r\n\r\n";
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    @Override
    public String open(ChatWire.Answer a) {
        return "";
    }

    @Override
    public String chunk(ChatWire.Answer a, String text, int index) {
        return data(response(a, text, false, null, index + 1));
    }

    /** The last chunk: the finish reason and the final usage, and the calls, which Gemini sends in it whole. */
    @Override
    public String close(ChatWire.Answer a) {
        ObjectNode blocked = blocked(a);
        if (blocked != null) {
            return data(blocked);
        }
        return data(response(a, a.callsTools() ? null : "", a.callsTools(), finish(a), a.completionTokens()));
    }

    @Override
    public String inStreamError(String message) {
        return data(GeminiRefusals.error(500, "INTERNAL", message, null));
    }

    @Override
    public String malformed() {
        return "data: {\"candidates\": [{\"content\": \r\n\r\n";
    }

    @Override
    public JsonNode complete(ChatWire.Answer a) {
        ObjectNode blocked = blocked(a);
        return blocked != null
                ? blocked
                : response(
                        a,
                        a.text().isEmpty() ? null : a.text(), // no text: no text part
                        a.callsTools(),
                        finish(a),
                        a.completionTokens());
    }
}
