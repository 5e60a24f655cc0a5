package dev.cortex.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;


/**
 * Ollama's native API with model state: installed models ({@code /api/tags}), loaded ones ({@code /api/ps}, driven
 * by {@code keep_alive}: 0 unloads, negative keeps, a duration sets the expiry), a load delay the first time a model
 * is used, pulls that stream progress, and chat as NDJSON ending in {@code done: true}. No keys. Besides the chat
 * faults every simulator plays, the model-management paths ({@code /api/tags}, {@code /api/ps}, ...) can each be made
 * to fail on their own ({@link #fault(String, Fault)}), as a real Ollama's sometimes do while chat still works.
 */
public final class OllamaSimulator extends ProviderSimulator implements ChatWire {

    private static final long MB = 1024 * 1024;

    /** A model on disk. */
    public record Model(String name, long sizeBytes, String family, String parameterSize) {
    }

    private final Map<String, Model> installed = new ConcurrentHashMap<>();
    private final Map<String, Instant> loaded = new ConcurrentHashMap<>();
    private final Map<String, Model> pullable = new ConcurrentHashMap<>();
    private final AtomicInteger pulls = new AtomicInteger();
    private final AtomicInteger loads = new AtomicInteger();
    private final List<String> unloads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Fault> pathFaults = new ConcurrentHashMap<>();
    private volatile Duration loadDelay = Duration.ZERO;
    private volatile boolean gpu;

    public OllamaSimulator() {
        resetModels();
    }

    @Override
    public String baseUrl() {
        return origin();
    }

    @Override
    public String name() {
        return "ollama";
    }

    @Override
    protected String apiKey(HttpServerRequest request) {
        return null;
    }

    @Override
    protected boolean needsKey() {
        return false;
    }

    // ---- model state ----

    /** Back to two installed models (llama3.2 ~2 GB, qwen2.5:0.5b ~400 MB), none loaded, no load delay. */
    public OllamaSimulator resetModels() {
        installed.clear();
        loaded.clear();
        pullable.clear();
        unloads.clear();
        pulls.set(0);
        loads.set(0);
        loadDelay = Duration.ZERO;
        installModel("llama3.2:latest", 2019 * MB, "llama", "3.2B");
        installModel("qwen2.5:0.5b", 398 * MB, "qwen2", "494M");
        return this;
    }

    public OllamaSimulator installModel(String name, long sizeBytes, String family, String parameterSize) {
        installed.put(canonical(name), new Model(canonical(name), sizeBytes, family, parameterSize));
        return this;
    }

    public OllamaSimulator uninstall(String name) {
        installed.remove(canonical(name));
        return this;
    }

    /** A model {@code /api/pull} can fetch. */
    public OllamaSimulator pullable(String name, long sizeBytes, String family) {
        pullable.put(canonical(name), new Model(canonical(name), sizeBytes, family, "?"));
        return this;
    }

    public OllamaSimulator loadModel(String name) {
        loaded.put(canonical(name), Instant.now().plus(Duration.ofMinutes(5)));
        return this;
    }

    public OllamaSimulator loadDelay(Duration delay) {
        this.loadDelay = delay;
        return this;
    }

    public OllamaSimulator gpu(boolean onGpu) {
        this.gpu = onGpu;
        return this;
    }

    /**
     * Every request to {@code path} (a model-management path such as {@code /api/ps}, not chat) gets this fault until
     * {@link #clearFaults()} or {@link #reset()}: a refusal in Ollama's error body, or {@code cut} for a dropped
     * connection.
     */
    public OllamaSimulator fault(String path, Fault f) {
        pathFaults.put(path, f);
        return this;
    }

    @Override
    public OllamaSimulator clearFaults() {
        super.clearFaults();
        if (pathFaults != null) { // null while the base class's constructor resets, before this class's fields exist
            pathFaults.clear();
        }
        return this;
    }

    public List<String> loadedModels() {
        expire();
        return new ArrayList<>(loaded.keySet());
    }

    public List<String> unloads() {
        return List.copyOf(unloads);
    }

    public int pulls() {
        return pulls.get();
    }

    /** How many times a model was loaded into memory. */
    public int loads() {
        return loads.get();
    }

    static String canonical(String name) {
        return name.contains(":") ? name : name + ":latest";
    }

    // ---- serving ----

    @Override
    protected void handle(HttpServerRequest request, Buffer raw) {
        HttpServerResponse response = request.response();
        String path = request.path();
        JsonNode body = json(raw);
        Fault pathFault = pathFaults.get(path);
        if (pathFault instanceof Fault.CutAfter) {
            request.connection().close();
            return;
        }
        if (pathFault != null) {
            refuse(response, pathFault);
            return;
        }
        switch (path) {
            case "/" -> response.putHeader("Content-Type", "text/plain; charset=utf-8").end("Ollama is running");
            case "/api/version" -> sendJson(response, 200, Json.object().put("version", "0.6.0"));
            case "/api/tags" -> sendJson(response, 200, modelList(false));
            case "/api/ps" -> sendJson(response, 200, modelList(true));
            case "/api/show" -> show(response, body);
            case "/api/pull" -> pull(response, body);
            case "/api/generate" -> generate(request, body);
            case "/api/chat" -> chat(request, body);
            default -> sendJson(response, 404, Json.object().put("error", "404 page not found"));
        }
    }

    private ObjectNode modelList(boolean onlyLoaded) {
        expire();
        ObjectNode out = Json.object();
        ArrayNode models = out.putArray("models");
        for (Model m : installed.values()) {
            if (onlyLoaded && !loaded.containsKey(m.name())) {
                continue;
            }
            ObjectNode e = models.addObject().put("name", m.name()).put("model", m.name()).put("size", m.sizeBytes())
                    .put("digest", Integer.toHexString(m.name().hashCode()));
            ObjectNode details = e.putObject("details").put("parent_model", "").put("format", "gguf")
                    .put("family", m.family()).put("parameter_size", m.parameterSize()).put("quantization_level", "Q4_K_M");
            details.putArray("families").add(m.family());
            if (onlyLoaded) {
                e.put("expires_at", loaded.get(m.name()).toString()).put("size_vram", gpu ? m.sizeBytes() : 0);
            } else {
                e.put("modified_at", "2025-01-01T00:00:00Z");
            }
        }
        return out;
    }

    private void expire() {
        Instant now = Instant.now();
        loaded.entrySet().removeIf(e -> e.getValue().isBefore(now));
    }

    private static String notFound(String model) {
        return "model \"" + model + "\" not found, try pulling it first";
    }

    private void show(HttpServerResponse response, JsonNode body) {
        Model m = body == null ? null : installed.get(canonical(body.path("model").asText("")));
        if (m == null) {
            sendJson(response, 404, Json.object().put("error", "model '" + (body == null ? "" : body.path("model").asText()) + "' not found"));
            return;
        }
        ObjectNode out = Json.object().put("modelfile", "FROM " + m.name()).put("template", "{{ .Prompt }}");
        out.putObject("details").put("family", m.family()).put("parameter_size", m.parameterSize());
        sendJson(response, 200, out);
    }

    private void pull(HttpServerResponse response, JsonNode body) {
        String name = canonical(body == null ? "" : body.path("model").asText(body.path("name").asText("")));
        Model m = pullable.get(name);
        pulls.incrementAndGet();
        if (m == null) {
            sendJson(response, 500, Json.object().put("error", "pull model manifest: file does not exist"));
            return;
        }
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/x-ndjson");
        response.write("{\"status\":\"pulling manifest\"}\n");
        long total = m.sizeBytes();
        for (int i = 1; i <= 4; i++) {
            response.write("{\"status\":\"pulling " + Integer.toHexString(name.hashCode()) + "\",\"digest\":\"sha256:sim\",\"total\":"
                    + total + ",\"completed\":" + total * i / 4 + "}\n");
        }
        response.write("{\"status\":\"verifying sha256 digest\"}\n{\"status\":\"writing manifest\"}\n");
        installed.put(name, m);
        response.end("{\"status\":\"success\"}\n");
    }

    /** Loads the model if it is not loaded (after the load delay), then runs {@code then}. */
    private void ensureLoaded(String model, JsonNode keepAlive, Runnable then) {
        expire();
        boolean cold = !loaded.containsKey(model);
        if (cold) {
            loads.incrementAndGet();
        }
        later(cold ? loadDelay.toMillis() : 0, () -> {
            keep(model, keepAlive);
            then.run();
        });
    }

    private void keep(String model, JsonNode keepAlive) {
        Duration d = keepAlive(keepAlive);
        if (d.isZero()) {
            loaded.remove(model);
            unloads.add(model);
        } else {
            loaded.put(model, d.isNegative() ? Instant.now().plus(Duration.ofDays(3650)) : Instant.now().plus(d));
        }
    }

    static Duration keepAlive(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return Duration.ofMinutes(5);
        }
        if (value.isNumber()) {
            return Duration.ofSeconds(value.asLong());
        }
        String s = value.asText().trim();
        if (s.startsWith("-")) {
            return Duration.ofSeconds(-1);
        }
        long n = Long.parseLong(s.replaceAll("[^0-9]", ""));
        return s.endsWith("h") ? Duration.ofHours(n) : s.endsWith("m") ? Duration.ofMinutes(n)
                : s.endsWith("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    }

    private void generate(HttpServerRequest request, JsonNode body) {
        HttpServerResponse response = request.response();
        String model = canonical(body == null ? "" : body.path("model").asText(""));
        if (!installed.containsKey(model)) {
            sendJson(response, 404, Json.object().put("error", notFound(model)));
            return;
        }
        JsonNode keepAlive = body.get("keep_alive");
        if (keepAlive != null && keepAlive(keepAlive).isZero()) {
            keep(model, keepAlive);
            sendJson(response, 200, Json.object().put("model", model).put("created_at", Instant.now().toString())
                    .put("response", "").put("done", true).put("done_reason", "unload"));
            return;
        }
        String prompt = body.path("prompt").asText("");
        ensureLoaded(model, keepAlive, () -> {
            ObjectNode out = Json.object().put("model", model).put("created_at", Instant.now().toString());
            if (prompt.isEmpty()) {
                out.put("response", "").put("done", true).put("done_reason", "load");
            } else {
                int limit = body.path("options").path("num_predict").asInt(Integer.MAX_VALUE);
                List<String> chunks = chunks(replyText());
                String text = String.join("", chunks.subList(0, Math.min(Math.max(limit, 0), chunks.size())));
                out.put("response", text).put("done", true).put("done_reason", limit < chunks.size() ? "length" : "stop")
                        .put("prompt_eval_count", words(prompt)).put("eval_count", words(text));
            }
            sendJson(response, 200, out);
        });
    }

    private void chat(HttpServerRequest request, JsonNode body) {
        HttpServerResponse response = request.response();
        if (body == null) {
            sendJson(response, 400, Json.object().put("error", "invalid character 'x' looking for beginning of value"));
            return;
        }
        if (!body.hasNonNull("model")) {
            sendJson(response, 400, Json.object().put("error", "model is required"));
            return;
        }
        String model = canonical(body.path("model").asText());
        if (!installed.containsKey(model)) {
            sendJson(response, 404, Json.object().put("error", notFound(body.path("model").asText())));
            return;
        }
        int prompt = 0;
        for (JsonNode m : body.path("messages")) {
            prompt += words(m.path("content").asText(""));
        }
        int promptTokens = prompt;
        boolean stream = body.path("stream").asBoolean(true);
        ensureLoaded(model, body.get("keep_alive"), () -> playChat(request, body, stream, model, promptTokens, this));
    }

    // ---- ChatWire: NDJSON ----

    @Override
    public void refuse(HttpServerResponse response, Fault fault) {
        if (fault instanceof Fault.ModelNotFound) {
            sendJson(response, 404, Json.object().put("error", notFound("x")));
        } else if (fault instanceof Fault.InvalidKey) {
            sendJson(response, 401, Json.object().put("error", "unauthorized"));
        } else if (fault instanceof Fault.RateLimited || fault instanceof Fault.QuotaExhausted) {
            // Ollama has no rate limits: a full queue is its nearest signal
            sendJson(response, 503, Json.object().put("error", "server busy, please try again.  maximum pending requests exceeded"));
        } else {
            int code = fault instanceof Fault.Status s ? s.code() : 500;
            sendJson(response, code, Json.object().put("error", code == 503
                    ? "server busy, please try again.  maximum pending requests exceeded" : "llama runner process has terminated"));
        }
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
        return "{\"model\":\"" + a.model() + "\",\"created_at\":\"" + Instant.now() + "\",\"message\":{\"role\":\"assistant\","
                + "\"content\":" + GroqSimulator.quote(text) + "},\"done\":false}\n";
    }

    private static String stats(ChatWire.Answer a) {
        return "\"done\":true,\"done_reason\":\"" + (a.finishReason().equals("stop") ? "stop" : "length")
                + "\",\"total_duration\":4883583458,\"load_duration\":1334875,\"prompt_eval_count\":" + a.promptTokens()
                + ",\"prompt_eval_duration\":342546000,\"eval_count\":" + a.completionTokens() + ",\"eval_duration\":4535599000}";
    }

    @Override
    public String close(ChatWire.Answer a) {
        return "{\"model\":\"" + a.model() + "\",\"created_at\":\"" + Instant.now() + "\",\"message\":{\"role\":\"assistant\","
                + "\"content\":\"\"}," + stats(a) + "\n";
    }

    @Override
    public String inStreamError(String message) {
        return "{\"error\":" + GroqSimulator.quote(message) + "}\n";
    }

    @Override
    public String malformed() {
        return "{\"model\":\"broken\",\"message\":\n";
    }

    @Override
    public void complete(HttpServerResponse response, ChatWire.Answer a) {
        sendJson(response, 200, "{\"model\":\"" + a.model() + "\",\"created_at\":\"" + Instant.now() + "\",\"message\":"
                + "{\"role\":\"assistant\",\"content\":" + GroqSimulator.quote(a.text()) + "}," + stats(a));
    }
}
