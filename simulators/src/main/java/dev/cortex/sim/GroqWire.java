package dev.cortex.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;

/**
 * Groq's OpenAI-compatible wire format under {@code /openai/v1}: chat completions as JSON, or SSE {@code data:} lines
 * with {@code x_groq} on the first and finish chunks, the usage chunk when asked, then {@code data: [DONE]}; the
 * model list; Bearer keys; which fields Groq rejects (the 400s, like every error body, rate-limit header and fault
 * reply, are built by {@link GroqRefusals}). Honours {@code max_completion_tokens} (or {@code max_tokens}) and
 * {@code stop} (a string or a list); the finish reason is {@code stop}, {@code length} or {@code tool_calls}. Tools,
 * {@code tool_choice}, tool results and {@code response_format} are read for {@link AgentScript}; image parts are
 * refused, as Groq refuses them, for a model that is not one of its vision models.
 */
final class GroqWire implements ChatWire {

    static final String PREFIX = "/openai/v1";

    @Override
    public String name() {
        return "groq";
    }

    @Override
    public String pathPrefix() {
        return PREFIX;
    }

    @Override
    public List<String> defaultModels() {
        // Llama 4 Scout: the one of these that sees images and follows a JSON Schema
        return List.of("llama-3.1-8b-instant", "llama-3.3-70b-versatile", "meta-llama/llama-4-scout-17b-16e-instruct");
    }

    @Override
    public String apiKey(HttpServerRequest request) {
        return bearer(request);
    }

    /** The key of an {@code Authorization: Bearer} header, or null. */
    static String bearer(HttpServerRequest request) {
        String auth = request.getHeader("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? auth.substring(7).trim()
                : null;
    }

    @Override
    public Map<String, String> headers() {
        return GroqRefusals.rateLimitHeaders(false);
    }

    @Override
    public boolean isChat(HttpServerRequest request) {
        return request.path().equals(PREFIX + "/chat/completions")
                && request.method().name().equals("POST");
    }

    @Override
    public ChatRequest read(HttpServerRequest request, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GroqRefusals.badRequest(
                    "We could not parse the JSON body of your request. The body should be a JSON object.");
        }
        for (String field : List.of("logprobs", "logit_bias", "top_logprobs")) {
            if (body.has(field)) {
                throw GroqRefusals.badRequest("'" + field + "' : property '" + field + "' is unsupported");
            }
        }
        if (!body.path("model").isTextual()) {
            throw GroqRefusals.badRequest("'model' : property 'model' is missing");
        }
        if (!body.path("messages").isArray() || body.path("messages").isEmpty()) {
            throw GroqRefusals.badRequest("'messages' : property 'messages' is missing");
        }
        if (body.path("n").asInt(1) != 1) {
            throw GroqRefusals.badRequest("'n' : number must be at most 1");
        }
        int prompt = 0;
        String last = null;
        int images = 0;
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (m.has("name")) {
                throw GroqRefusals.badRequest("'messages.name' : property 'name' is unsupported");
            }
            String text = text(m.path("content"));
            int pictures = images(m.path("content"));
            if (pictures > 0 && !visionCapable(body.get("model").asText())) {
                throw GroqRefusals.imagesRefused(i, m.path("role").asText());
            }
            images += pictures;
            prompt += Generation.words(text);
            if (m.path("role").asText().equals("user")) {
                last = text;
            }
        }
        JsonNode max =
                body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        List<String> stop = Json.strings(body.path("stop"));
        return new ChatRequest(
                body.get("model").asText(),
                body.path("stream").asBoolean(false),
                last,
                prompt,
                max != null && max.isNumber() ? max.asInt() : null,
                stop,
                body,
                asks(body, images));
    }

    /** Groq's vision models (Llama 4 Scout and Maverick, and the older "-vision-" previews); the others take text. */
    static boolean visionCapable(String model) {
        return model.contains("llama-4") || model.contains("vision");
    }

    /** A message's text: its content string, or its text parts joined. */
    private static String text(JsonNode content) {
        if (!content.isArray()) {
            return content.asText("");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("type").asText().equals("text")) {
                text.append(part.path("text").asText(""));
            }
        }
        return text.toString();
    }

    private static int images(JsonNode content) {
        int n = 0;
        for (JsonNode part : content) {
            n += part.path("type").asText().equals("image_url") ? 1 : 0;
        }
        return n;
    }

    /** Tools, the tool choice, a last-turn tool result, structured output: what the simulated model plays. */
    private static Asks asks(JsonNode body, int images) {
        List<Asks.Tool> tools = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) {
            JsonNode function = tool.path("function");
            tools.add(new Asks.Tool(function.path("name").asText(), function.get("parameters")));
        }
        JsonNode choice = body.path("tool_choice");
        JsonNode named = choice.path("function").path("name");
        String toolChoice = choice.isTextual() ? choice.asText() : named.isTextual() ? named.asText() : null;
        JsonNode messages = body.path("messages");
        JsonNode lastTurn = messages.get(messages.size() - 1);
        String toolResult = lastTurn.path("role").asText().equals("tool") ? text(lastTurn.path("content")) : null;
        JsonNode format = body.path("response_format");
        String type = format.path("type").asText("text");
        JsonNode schema =
                type.equals("json_schema") ? format.path("json_schema").get("schema") : null;
        return new Asks(tools, toolChoice, toolResult, schema, type.equals("json_object"), images);
    }

    @Override
    public WireReply unknownModel(ChatRequest chat) {
        return GroqRefusals.modelNotFound(chat.model());
    }

    @Override
    public WireReply other(HttpServerRequest request, List<String> models) {
        String path = request.path();
        if (path.startsWith(PREFIX + "/models") && bearer(request) == null) {
            return GroqRefusals.invalidKey();
        }
        if (path.equals(PREFIX + "/models")) {
            ObjectNode list = Json.object().put("object", "list");
            ArrayNode data = list.putArray("data");
            models.forEach(m -> data.addObject()
                    .put("id", m)
                    .put("object", "model")
                    .put("created", 1693721698)
                    .put("owned_by", "Meta")
                    .put("active", true)
                    .put("context_window", 131072));
            return new WireReply(200, list);
        }
        return GroqRefusals.unknownUrl(path);
    }

    @Override
    public WireReply refusal(Fault fault, String model) {
        return GroqRefusals.refusal(fault, model);
    }

    // ---- answers ----

    private static String finish(ChatWire.Answer a) {
        if (a.callsTools()) {
            return "tool_calls";
        }
        return a.finish() == Generation.Finish.LENGTH
                        || (a.blocked() != null && !a.blocked().equals("stop"))
                ? "length"
                : "stop";
    }

    private static ObjectNode usage(ChatWire.Answer a) {
        return Json.object()
                .put("queue_time", 0.01)
                .put("prompt_tokens", a.promptTokens())
                .put("prompt_time", 0.001)
                .put("completion_tokens", a.completionTokens())
                .put("completion_time", 0.002)
                .put("total_tokens", a.promptTokens() + a.completionTokens())
                .put("total_time", 0.003);
    }

    private static ObjectNode head(ChatWire.Answer a, String object) {
        return Json.object()
                .put("id", "chatcmpl-" + a.id())
                .put("object", object)
                .put("created", 1761231344)
                .put("model", a.model());
    }

    private static String data(JsonNode json) {
        return "data: " + Json.text(json) + "\n\n";
    }

    /** A chunk with one choice: its delta, and its finish reason (null while going). */
    private static ObjectNode chunk(ChatWire.Answer a, ObjectNode delta, String finish) {
        ObjectNode c = head(a, "chat.completion.chunk").put("system_fingerprint", "fp_sim");
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs").put("finish_reason", finish);
        return c;
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    @Override
    public String open(ChatWire.Answer a) {
        ObjectNode first = chunk(a, Json.object().put("role", "assistant").put("content", ""), null);
        first.putObject("x_groq").put("id", "req_sim");
        return data(first);
    }

    @Override
    public String chunk(ChatWire.Answer a, String text, int index) {
        return data(chunk(a, Json.object().put("content", text), null));
    }

    /**
     * Each call as OpenAI streams it: a first delta with its index, id, type, name and empty arguments, then its
     * arguments in two fragments (real Groq sends them whole; fragments make a client put them back together).
     */
    @Override
    public List<String> toolCallFrames(ChatWire.Answer a) {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < a.toolCalls().size(); i++) {
            Asks.Call call = a.toolCalls().get(i);
            ObjectNode first =
                    Json.object().put("index", i).put("id", call.id()).put("type", "function");
            first.putObject("function").put("name", call.name()).put("arguments", "");
            frames.add(toolDelta(a, first));
            String arguments = Json.text(call.arguments());
            int half = arguments.length() / 2;
            for (String fragment : List.of(arguments.substring(0, half), arguments.substring(half))) {
                ObjectNode piece = Json.object().put("index", i);
                piece.putObject("function").put("arguments", fragment);
                frames.add(toolDelta(a, piece));
            }
        }
        return frames;
    }

    private static String toolDelta(ChatWire.Answer a, ObjectNode call) {
        ObjectNode delta = Json.object();
        delta.putArray("tool_calls").add(call);
        return data(chunk(a, delta, null));
    }

    @Override
    public String close(ChatWire.Answer a) {
        boolean includeUsage =
                a.request().path("stream_options").path("include_usage").asBoolean(false);
        ObjectNode last = chunk(a, Json.object(), finish(a));
        last.putObject("x_groq").put("id", "req_sim").set("usage", usage(a));
        StringBuilder out = new StringBuilder();
        if (includeUsage) {
            last.set("usage", usage(a));
            out.append(data(last));
            ObjectNode usageChunk = head(a, "chat.completion.chunk");
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage(a));
            usageChunk.put("service_tier", "on_demand");
            out.append(data(usageChunk));
        } else {
            out.append(data(last));
        }
        return out.append("data: [DONE]\n\n").toString();
    }

    @Override
    public String inStreamError(String message) {
        ObjectNode e = Json.object();
        e.putObject("error").put("message", message).put("type", "server_error");
        return "event: error\n" + data(e);
    }

    @Override
    public String malformed() {
        return "data: {\"id\":\"chatcmpl-broken\",\"choices\":[{\"delta\":{\"content\":\n\n";
    }

    @Override
    public JsonNode complete(ChatWire.Answer a) {
        ObjectNode c = head(a, "chat.completion");
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (a.callsTools()) {
            message.putNull("content");
            ArrayNode calls = message.putArray("tool_calls");
            for (Asks.Call call : a.toolCalls()) {
                ObjectNode made = calls.addObject().put("id", call.id()).put("type", "function");
                made.putObject("function").put("name", call.name()).put("arguments", Json.text(call.arguments()));
            }
        } else {
            message.put("content", a.text());
        }
        choice.putNull("logprobs").put("finish_reason", finish(a));
        c.set("usage", usage(a));
        c.put("system_fingerprint", "fp_sim");
        c.putObject("x_groq").put("id", "req_sim");
        return c;
    }
}
