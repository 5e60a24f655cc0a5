package dev.cortex.sim;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Ollama's native API with model state ({@link OllamaModels}) and chat as {@link OllamaWire} speaks it. No keys. It
 * serves the installed models only (404 "try pulling it first" otherwise). Besides the chat faults every simulator
 * plays, the model-management paths ({@code /api/tags}, {@code /api/ps}, ...) can each be made to fail on their own
 * ({@link #fault(String, Fault)}), as a real Ollama's sometimes do while chat still works.
 */
public final class OllamaSimulator extends ProviderSimulator {

    private static final long MB = 1024 * 1024;

    /** A model on disk. */
    public record Model(String name, long sizeBytes, String family, String parameterSize) {}

    private final OllamaModels state = new OllamaModels();
    private final Map<String, Fault> pathFaults = new ConcurrentHashMap<>();

    public OllamaSimulator() {
        super(new OllamaWire());
        resetModels();
    }

    // ---- model state ----

    /** Back to two installed models (llama3.2 ~2 GB, qwen2.5:0.5b ~400 MB), none loaded, no load delay. */
    public OllamaSimulator resetModels() {
        state.clear();
        installModel("llama3.2:latest", 2019 * MB, "llama", "3.2B");
        installModel("qwen2.5:0.5b", 398 * MB, "qwen2", "494M");
        return this;
    }

    public OllamaSimulator installModel(String name, long sizeBytes, String family, String parameterSize) {
        state.install(new Model(OllamaWire.canonical(name), sizeBytes, family, parameterSize));
        return this;
    }

    /**
     * What {@code /api/show} says of a model: Ollama's capability words ({@code completion}, {@code tools},
     * {@code vision}, {@code embedding}) and its context length. Unset, a model whose name holds {@code embed} embeds
     * only (2,048 tokens), any other completes and calls tools (131,072).
     */
    public OllamaSimulator capabilities(String name, long contextLength, String... capabilities) {
        state.traits(OllamaWire.canonical(name), new OllamaModels.Traits(List.of(capabilities), contextLength));
        return this;
    }

    public OllamaSimulator uninstall(String name) {
        state.uninstall(OllamaWire.canonical(name));
        return this;
    }

    /** A model {@code /api/pull} can fetch. */
    public OllamaSimulator pullable(String name, long sizeBytes, String family) {
        state.pullable(new Model(OllamaWire.canonical(name), sizeBytes, family, "?"));
        return this;
    }

    public OllamaSimulator loadModel(String name) {
        state.load(OllamaWire.canonical(name));
        return this;
    }

    public OllamaSimulator loadDelay(Duration delay) {
        state.loadDelay = delay;
        return this;
    }

    public OllamaSimulator gpu(boolean onGpu) {
        state.gpu = onGpu;
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

    /** The installed models. */
    @Override
    public List<String> models() {
        return state.names();
    }

    /** Installs exactly these models (1 GB each), in place of the installed ones; the loaded ones stay loaded. */
    @Override
    public OllamaSimulator models(String... names) {
        state.uninstallAll();
        for (String name : names) {
            installModel(name, 1000 * MB, "llama", "1B");
        }
        return this;
    }

    public List<String> loadedModels() {
        return state.loadedModels();
    }

    public List<String> unloads() {
        return state.unloads();
    }

    public int pulls() {
        return state.pulls();
    }

    /** How many times a model was loaded into memory. */
    public int loads() {
        return state.loads();
    }

    // ---- serving ----

    @Override
    void handle(HttpServerRequest request, Buffer raw) {
        Fault pathFault = pathFaults.get(request.path());
        if (pathFault instanceof Fault.CutAfter) {
            Loopback.cut(request);
            return;
        }
        if (pathFault != null) {
            Loopback.send(request.response(), wire().refusal(pathFault, "x"));
            return;
        }
        switch (request.path()) {
            case "/" -> request.response()
                    .putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("Ollama is running");
            case "/api/tags" -> Loopback.send(request.response(), new WireReply(200, state.list(false)));
            case "/api/ps" -> Loopback.send(request.response(), new WireReply(200, state.list(true)));
            case "/api/show" -> Loopback.send(request.response(), state.show(Loopback.json(raw)));
            case "/api/pull" -> state.pull(request.response(), Loopback.json(raw));
            case "/api/generate" -> state.generate(request.response(), Loopback.json(raw), this);
            default -> super.handle(request, raw);
        }
    }

    @Override
    boolean serves(String model) {
        return state.installed(model) || super.serves(model);
    }

    /** A chat loads its model first (after the load delay when it is cold), and keeps it as {@code keep_alive} says. */
    @Override
    void beforeChat(ChatRequest chat, Runnable play) {
        state.ensureLoaded(chat.model(), chat.body().get("keep_alive"), this, play);
    }
}
