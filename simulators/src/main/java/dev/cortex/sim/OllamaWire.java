package dev.cortex.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;

/**
 * Ollama's native chat wire format: {@code POST /api/chat}, streamed (the default) as NDJSON lines ending in one with
 * {@code done: true} and the stats, or whole; flat {@code {"error": "..."}} errors; no keys. Honours
 * {@code options.num_predict} (negative: no limit; finish {@code length}) and {@code options.stop}. Reads
 * {@code tools}, {@code format} ({@code "json"} or a schema), messages' {@code images} and tool turns; answers tool
 * calls as {@code message.tool_calls} with the arguments as an object and {@code done_reason: "stop"} (Ollama has no
 * reason of its own for them, and no call ids). The model management endpoints are {@link OllamaModels}'.
 */
final class OllamaWire implements ChatWire {

    static final String BUSY = "server busy, please try again.  maximum pending requests exceeded";

    @Override
    public String name() {
        return "ollama";
    }

    @Override
    public String pathPrefix() {
        return "";
    }

    @Override
    public List<String> defaultModels() {
        return List.of(); // the installed models: OllamaModels
    }

    @Override
    public String apiKey(HttpServerRequest request) {
        return null;
    }

    @Override
    public boolean needsKey() {
        return false;
    }

    @Override
    public boolean isChat(HttpServerRequest request) {
        return request.path().equals("/api/chat");
    }

    @Override
    public boolean isEmbedding(HttpServerRequest request) {
        return request.path().equals("/api/embed");
    }

    /** {@code {"model","input": "text" | ["text", ...], "truncate"?, "dimensions"?}}. */
    @Override
    public EmbedRequest readEmbedding(HttpServerRequest request, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new WireReply(400, error("invalid character 'x' looking for beginning of value")).refused();
        }
        if (!body.path("model").isTextual() || body.path("model").asText().isBlank()) {
            throw new WireReply(400, error("model is required")).refused();
        }
        JsonNode input = body.path("input");
        List<String> inputs = input.isTextual() ? List.of(input.asText()) : Json.strings(input);
        if (inputs.isEmpty()) {
            throw new WireReply(400, error("invalid input type")).refused();
        }
        JsonNode dims = body.path("dimensions");
        return new EmbedRequest(
                canonical(body.get("model").asText()), inputs, dims.isInt() ? dims.asInt() : null, body);
    }

    @Override
    public JsonNode embeddings(EmbedRequest request, List<float[]> vectors) {
        ObjectNode out = Json.object().put("model", request.model());
        ArrayNode list = out.putArray("embeddings");
        for (float[] v : vectors) {
            ArrayNode a = list.addArray();
            for (float x : v) {
                a.add(x);
            }
        }
        out.put("total_duration", 1_000_000).put("load_duration", 0);
        out.put(
                "prompt_eval_count",
                request.inputs().stream().mapToInt(SimEmbeddings::tokens).sum());
        return out;
    }

    static ObjectNode error(String message) {
        return Json.object().put("error", message);
    }

    static String canonical(String name) {
        return name.contains(":") ? name : name + ":latest";
    }

    static String notFound(String model) {
        return "model \"" + model + "\" not found, try pulling it first";
    }

    @Override
    public ChatRequest read(HttpServerRequest request, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new WireReply(400, error("invalid character 'x' looking for beginning of value")).refused();
        }
        if (!body.path("model").isTextual() || body.path("model").asText().isBlank()) {
            throw new WireReply(400, error("model is required")).refused();
        }
        int prompt = 0;
        String last = null;
        int images = 0;
        JsonNode lastTurn = null;
        for (JsonNode m : body.path("messages")) {
            prompt += Generation.words(m.path("content").asText(""));
            if (m.path("role").asText().equals("user")) {
                last = m.path("content").asText("");
            }
            images += m.path("images").size();
            lastTurn = m;
        }
        JsonNode options = body.path("options");
        JsonNode max = options.path("num_predict");
        List<String> stop = Json.strings(options.path("stop"));
        JsonNode format = body.path("format");
        Asks asks = new Asks(
                tools(body.path("tools")),
                "auto", // Ollama has no tool_choice: offered tools may always be called
                lastTurn != null && lastTurn.path("role").asText().equals("tool")
                        ? lastTurn.path("content").asText("")
                        : null,
                format.isObject() ? format : null,
                format.isTextual() && format.asText().equals("json"),
                images);
        return new ChatRequest(
                canonical(body.get("model").asText()),
                body.path("stream").asBoolean(true),
                last,
                prompt,
                max.isNumber() && max.asInt() >= 0 ? max.asInt() : null,
                stop,
                body,
                asks);
    }

    /** {@code [{"type":"function","function":{"name","description","parameters"}}]}, OpenAI's shape. */
    private static List<Asks.Tool> tools(JsonNode tools) {
        List<Asks.Tool> out = new ArrayList<>();
        for (JsonNode t : tools) {
            JsonNode function = t.path("function");
            if (function.path("name").isTextual()) {
                out.add(new Asks.Tool(function.get("name").asText(), function.get("parameters")));
            }
        }
        return out;
    }

    @Override
    public WireReply unknownModel(ChatRequest chat) {
        return new WireReply(404, error(notFound(chat.body().path("model").asText())));
    }

    @Override
    public WireReply other(HttpServerRequest request, List<String> models) {
        return switch (request.path()) {
            case "/api/version" -> new WireReply(200, Json.object().put("version", "0.6.0"));
            default -> new WireReply(404, error("404 page not found"));
        };
    }

    @Override
    public WireReply refusal(Fault fault, String model) {
        if (fault instanceof Fault.ModelNotFound) {
            return new WireReply(404, error(notFound(model)));
        }
        if (fault instanceof Fault.InvalidKey) {
            return new WireReply(401, error("unauthorized"));
        }
        if (fault instanceof Fault.RateLimited || fault instanceof Fault.QuotaExhausted) {
            return new WireReply(503, error(BUSY)); // Ollama has no rate limits: a full queue is its nearest signal
        }
        int code = WireReply.status(fault);
        return new WireReply(code, error(code == 503 ? BUSY : "llama runner process has terminated"));
    }

    // ---- answers ----

    private static ObjectNode line(ChatWire.Answer a, String content) {
        ObjectNode line = Json.object()
                .put("model", a.model())
                .put("created_at", Instant.now().toString());
        line.putObject("message").put("role", "assistant").put("content", content);
        return line;
    }

    /** {@code [{"function":{"name","arguments":{...}}}]}: arguments as an object, no ids. */
    private static ArrayNode toolCalls(ChatWire.Answer a) {
        ArrayNode calls = Json.array();
        for (Asks.Call call : a.toolCalls()) {
            calls.addObject().putObject("function").put("name", call.name()).set("arguments", call.arguments());
        }
        return calls;
    }

    private static ObjectNode last(ChatWire.Answer a, String content) {
        boolean length = a.finish() == Generation.Finish.LENGTH
                || (a.blocked() != null && !a.blocked().equals("stop"));
        return line(a, content)
                .put("done", true)
                .put("done_reason", length ? "length" : "stop")
                .put("total_duration", 4883583458L)
                .put("load_duration", 1334875)
                .put("prompt_eval_count", a.promptTokens())
                .put("prompt_eval_duration", 342546000)
                .put("eval_count", a.completionTokens())
                .put("eval_duration", 4535599000L);
    }

    private static String ndjson(JsonNode json) {
        return Json.text(json) + "\n";
    }

    @Override
    public String streamContentType() {
        return "application/x-ndjson";
    }

    @Override
    public String open(ChatWire.Answer a) {
        return "";
    }

    @Override
    public String chunk(ChatWire.Answer a, String text, int index) {
        return ndjson(line(a, text).put("done", false));
    }

    /** Ollama sends a turn's calls whole, in one line of their own before the last. */
    @Override
    public List<String> toolCallFrames(ChatWire.Answer a) {
        if (!a.callsTools()) {
            return List.of();
        }
        ObjectNode line = line(a, "").put("done", false);
        ((ObjectNode) line.get("message")).set("tool_calls", toolCalls(a));
        return List.of(ndjson(line));
    }

    @Override
    public String close(ChatWire.Answer a) {
        return ndjson(last(a, ""));
    }

    @Override
    public String inStreamError(String message) {
        return ndjson(error(message));
    }

    @Override
    public String malformed() {
        return "{\"model\":\"broken\",\"message\":\n";
    }

    @Override
    public JsonNode complete(ChatWire.Answer a) {
        ObjectNode whole = last(a, a.text());
        if (a.callsTools()) {
            ((ObjectNode) whole.get("message")).set("tool_calls", toolCalls(a));
        }
        return whole;
    }
}
