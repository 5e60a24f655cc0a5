package dev.cortex.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;

import dev.cortex.sim.OllamaSimulator.Model;

/**
 * An Ollama's models and their state, and the endpoints that show and change it: installed models
 * ({@code /api/tags}), loaded ones ({@code /api/ps}, driven by {@code keep_alive}: 0 unloads, negative keeps, a
 * duration sets the expiry), {@code /api/show}, pulls that stream progress ({@code /api/pull}), loads, unloads and
 * one-shot generation ({@code /api/generate}), with a load delay the first time a model is used.
 */
final class OllamaModels {

    private final Map<String, Model> installed = new ConcurrentHashMap<>();
    private final Map<String, Instant> loaded = new ConcurrentHashMap<>();
    private final Map<String, Model> pullable = new ConcurrentHashMap<>();
    private final Map<String, Traits> traits = new ConcurrentHashMap<>();
    private final AtomicInteger pulls = new AtomicInteger();
    private final AtomicInteger loads = new AtomicInteger();
    private final List<String> unloads = new CopyOnWriteArrayList<>();
    volatile Duration loadDelay = Duration.ZERO;
    volatile boolean gpu;

    /** What {@code /api/show} says a model can do, and its context length. */
    record Traits(List<String> capabilities, long contextLength) {

        /** Ollama's own answer for typical models: an embedding model embeds only; a chat model completes and calls tools. */
        static Traits typical(String name) {
            return name.contains("embed")
                    ? new Traits(List.of("embedding"), 2048)
                    : new Traits(List.of("completion", "tools"), 131072);
        }
    }

    void traits(String name, Traits t) {
        traits.put(name, t);
    }

    void clear() {
        traits.clear();
        installed.clear();
        loaded.clear();
        pullable.clear();
        unloads.clear();
        pulls.set(0);
        loads.set(0);
        loadDelay = Duration.ZERO;
    }

    void install(Model m) {
        installed.put(m.name(), m);
    }

    void uninstallAll() {
        installed.clear();
    }

    void uninstall(String name) {
        installed.remove(name);
    }

    List<String> names() {
        return new ArrayList<>(installed.keySet());
    }

    boolean installed(String name) {
        return installed.containsKey(name);
    }

    void pullable(Model m) {
        pullable.put(m.name(), m);
    }

    void load(String name) {
        loaded.put(name, Instant.now().plus(Duration.ofMinutes(5)));
    }

    List<String> loadedModels() {
        expire();
        return new ArrayList<>(loaded.keySet());
    }

    List<String> unloads() {
        return List.copyOf(unloads);
    }

    int pulls() {
        return pulls.get();
    }

    int loads() {
        return loads.get();
    }

    // ---- endpoints ----

    ObjectNode list(boolean onlyLoaded) {
        expire();
        ObjectNode out = Json.object();
        ArrayNode models = out.putArray("models");
        for (Model m : installed.values()) {
            if (onlyLoaded && !loaded.containsKey(m.name())) {
                continue;
            }
            ObjectNode e = models.addObject()
                    .put("name", m.name())
                    .put("model", m.name())
                    .put("size", m.sizeBytes())
                    .put("digest", Integer.toHexString(m.name().hashCode()));
            ObjectNode details = e.putObject("details")
                    .put("parent_model", "")
                    .put("format", "gguf")
                    .put("family", m.family())
                    .put("parameter_size", m.parameterSize())
                    .put("quantization_level", "Q4_K_M");
            details.putArray("families").add(m.family());
            if (onlyLoaded) {
                e.put("expires_at", loaded.get(m.name()).toString()).put("size_vram", gpu ? m.sizeBytes() : 0);
            } else {
                e.put("modified_at", "2025-01-01T00:00:00Z");
            }
        }
        return out;
    }

    WireReply show(JsonNode body) {
        String asked = body == null ? "" : body.path("model").asText("");
        Model m = installed.get(OllamaWire.canonical(asked));
        if (m == null) {
            return new WireReply(404, OllamaWire.error("model '" + asked + "' not found"));
        }
        ObjectNode out = Json.object().put("modelfile", "FROM " + m.name()).put("template", "{{ .Prompt }}");
        out.putObject("details").put("family", m.family()).put("parameter_size", m.parameterSize());
        Traits t = traits.getOrDefault(m.name(), Traits.typical(m.name()));
        out.putObject("model_info")
                .put("general.architecture", m.family())
                .put(m.family() + ".context_length", t.contextLength());
        ArrayNode capabilities = out.putArray("capabilities");
        t.capabilities().forEach(capabilities::add);
        return new WireReply(200, out);
    }

    void pull(HttpServerResponse response, JsonNode body) {
        String name = OllamaWire.canonical(
                body == null ? "" : body.path("model").asText(body.path("name").asText("")));
        Model m = pullable.get(name);
        pulls.incrementAndGet();
        if (m == null) {
            Loopback.send(response, new WireReply(500, OllamaWire.error("pull model manifest: file does not exist")));
            return;
        }
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/x-ndjson");
        response.write(line(Json.object().put("status", "pulling manifest")));
        long total = m.sizeBytes();
        for (int i = 1; i <= 4; i++) {
            response.write(line(Json.object()
                    .put("status", "pulling " + Integer.toHexString(name.hashCode()))
                    .put("digest", "sha256:sim")
                    .put("total", total)
                    .put("completed", total * i / 4)));
        }
        response.write(line(Json.object().put("status", "verifying sha256 digest")));
        response.write(line(Json.object().put("status", "writing manifest")));
        installed.put(name, m);
        response.end(line(Json.object().put("status", "success")));
    }

    private static String line(JsonNode json) {
        return Json.text(json) + "\n";
    }

    /** {@code /api/generate}: an unload ({@code keep_alive: 0}), a load (no prompt), or one answer bounded as chats are. */
    void generate(HttpServerResponse response, JsonNode body, ProviderSimulator sim) {
        String model =
                OllamaWire.canonical(body == null ? "" : body.path("model").asText(""));
        if (!installed.containsKey(model)) {
            Loopback.send(response, new WireReply(404, OllamaWire.error(OllamaWire.notFound(model))));
            return;
        }
        JsonNode keepAlive = body.get("keep_alive");
        if (!traits.getOrDefault(model, Traits.typical(model)).capabilities().contains("completion")
                && (keepAlive == null || !keepAlive(keepAlive).isZero())) {
            // Ollama checks the model's capabilities first: an embedding model cannot generate, not even to load
            Loopback.send(
                    response, new WireReply(400, OllamaWire.error("\"" + model + "\" does not support generate")));
            return;
        }
        if (keepAlive != null && keepAlive(keepAlive).isZero()) {
            keep(model, keepAlive);
            Loopback.send(
                    response,
                    new WireReply(
                            200,
                            Json.object()
                                    .put("model", model)
                                    .put("created_at", Instant.now().toString())
                                    .put("response", "")
                                    .put("done", true)
                                    .put("done_reason", "unload")));
            return;
        }
        String prompt = body.path("prompt").asText("");
        ensureLoaded(model, keepAlive, sim, () -> {
            ObjectNode out = Json.object()
                    .put("model", model)
                    .put("created_at", Instant.now().toString());
            if (prompt.isEmpty()) {
                out.put("response", "").put("done", true).put("done_reason", "load");
            } else {
                JsonNode max = body.path("options").path("num_predict");
                List<String> stop = Json.strings(body.path("options").path("stop"));
                Generation g = Generation.of(
                        sim.knobs().replyFor(prompt), max.isNumber() && max.asInt() >= 0 ? max.asInt() : null, stop);
                out.put("response", g.text())
                        .put("done", true)
                        .put("done_reason", g.finish() == Generation.Finish.LENGTH ? "length" : "stop")
                        .put("prompt_eval_count", Generation.words(prompt))
                        .put("eval_count", g.tokens());
            }
            Loopback.send(response, new WireReply(200, out));
        });
    }

    /** Loads the model if it is not loaded (after the load delay), then runs {@code then}. */
    void ensureLoaded(String model, JsonNode keepAlive, ProviderSimulator sim, Runnable then) {
        expire();
        boolean cold = !loaded.containsKey(model);
        if (cold) {
            loads.incrementAndGet();
        }
        sim.loopback().later(cold ? loadDelay.toMillis() : 0, () -> {
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
            loaded.put(
                    model,
                    d.isNegative()
                            ? Instant.now().plus(Duration.ofDays(3650))
                            : Instant.now().plus(d));
        }
    }

    private void expire() {
        Instant now = Instant.now();
        loaded.entrySet().removeIf(e -> e.getValue().isBefore(now));
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
        return s.endsWith("h")
                ? Duration.ofHours(n)
                : s.endsWith("m")
                        ? Duration.ofMinutes(n)
                        : s.endsWith("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    }
}
