package dev.cortex.ollama;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chat.Needs;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.provider.Capabilities;
import dev.cortex.provider.ModelChoice;
import dev.cortex.provider.ModelSource;
import dev.cortex.provider.ProviderSettings;

/**
 * One Ollama server's models: which are installed and loaded, which one serves a request ({@link ModelChooser}),
 * and getting it loaded ({@link ModelLoader}: within a memory budget, once,
 * however many requests wait for it). To make room the loader unloads the least recently used models that are not
 * critical; when even that is not enough it says {@code insufficient_memory} and the chain moves on.
 */
public final class OllamaModels implements ModelSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OllamaModels.class);
    private static final long MB = 1024 * 1024;

    private final OllamaClient client;
    private final List<String> configured;
    private final Set<String> criticalNames;
    private final long criticalMaxBytes;
    private final AtomicReference<ModelPicture> picture = new AtomicReference<>(ModelPicture.EMPTY);
    private final ModelChooser chooser;
    private final ModelLoader loader;
    private volatile boolean known; // whether Ollama ever listed its installed models
    private final ProviderSettings settings;
    private final String prefix;
    /** What {@code /api/show} said of each installed model, by canonical name (asked once per model). */
    private final Map<String, OllamaClient.Shown> shown = new ConcurrentHashMap<>();
    /** When {@code /api/show} last failed for a model: it is asked again only after {@link #SHOW_RETRY_NANOS}. */
    private final Map<String, Long> showFailed = new ConcurrentHashMap<>();

    private static final long SHOW_RETRY_NANOS = Duration.ofSeconds(30).toNanos();

    /**
     * @param provider the name of the provider this server is (provider.<name>.*)
     * @param settings the provider's settings: what they say of a model's capabilities and context window overrides
     *                 what Ollama says ({@link #capabilities})
     */
    public OllamaModels(
            String provider,
            OllamaClient client,
            List<String> configured,
            long budgetMb,
            Set<String> criticalNames,
            long criticalMaxMb,
            String keepAlive,
            Duration loadTimeout,
            ProviderSettings settings) {
        this.settings = settings;
        this.prefix = provider + "/";
        this.client = client;
        this.configured = configured.stream().map(OllamaModels::canonical).toList();
        this.criticalNames = criticalNames.stream().map(OllamaModels::canonical).collect(Collectors.toSet());
        this.criticalMaxBytes = criticalMaxMb * MB;
        this.chooser = new ModelChooser(provider, this.configured);
        this.loader = new ModelLoader(provider, client, picture, budgetMb * MB, keepAlive, loadTimeout, model -> {
            Capabilities c = capabilities(model);
            return c.embeddings() && !c.chat();
        });
    }

    /** {@code llama3.2} and {@code llama3.2:latest} are one model. */
    static String canonical(String name) {
        return name.contains(":") ? name : name + ":latest";
    }

    /**
     * Re-reads what is installed ({@code /api/tags}) and what is loaded ({@code /api/ps}), each on its own: when one
     * list fails, the other is still taken, and the failed one keeps its last known state. Returns whether Ollama
     * listed its installed models.
     */
    public boolean refresh() {
        ModelPicture before = picture.get();
        Optional<List<OllamaClient.Installed>> tags = read("/api/tags", client::tags);
        Optional<List<OllamaClient.Loaded>> ps = read("/api/ps", client::ps);
        picture.updateAndGet(now -> {
            ModelPicture next = tags.map(now::withInstalled).orElse(now);
            // a load or unload that finished while /api/ps was being read is newer than its answer: keep it
            return ps.isPresent() && now.loaded() == before.loaded() ? next.withLoaded(ps.get()) : next;
        });
        known |= tags.isPresent();
        if (tags.isPresent()) {
            // a model removed (or replaced under its name) is asked about again when it comes back
            shown.keySet().retainAll(picture.get().installed().keySet());
            picture.get().installed().keySet().forEach(this::shown); // on the timer's thread, not a request's
        }
        return tags.isPresent();
    }

    /**
     * What {@code model} can do: a line of its own in the settings ({@code capabilities.<model>},
     * {@code context-window.<model>}, {@code embedding-models}) wins; else what Ollama's {@code /api/show} says
     * (asked once per installed model); else, from a server too old to say, the provider's own lines; else every
     * capability is assumed and Ollama says no itself.
     */
    @Override
    public Capabilities capabilities(String model) {
        String name = canonical(model.startsWith(prefix) ? model.substring(prefix.length()) : model);
        List<String> names =
                List.of(model, name, name.endsWith(":latest") ? name.substring(0, name.length() - 7) : name);
        long window = 0;
        for (String n : names) {
            if (settings.contextWindowConfiguredFor(n)) {
                window = settings.contextWindow(n);
                break;
            }
        }
        for (String n : names) {
            if (settings.embeddingModelList().contains(n)) {
                return Capabilities.embedding(window);
            }
        }
        OllamaClient.Shown said = shown(name);
        if (window == 0) {
            window = said != null && said.contextLength() > 0 ? said.contextLength() : settings.contextWindow(null);
        }
        for (String n : names) {
            if (settings.capabilitiesConfiguredFor(n)) {
                return settings.configuredCapabilities(n).orElseThrow().withContextWindow(window);
            }
        }
        if (said != null && !said.capabilities().isEmpty()) {
            return fromServer(said.capabilities(), window);
        }
        return settings.configuredCapabilities(null).orElse(Capabilities.ANY).withContextWindow(window);
    }

    /**
     * Ollama's words in the gateway's terms. Structured output is Ollama's {@code format} with a JSON Schema, which
     * every completion model takes (the server constrains the sampling, whatever the model).
     */
    private static Capabilities fromServer(List<String> words, long window) {
        boolean chat = words.contains("completion");
        return new Capabilities(
                chat, words.contains("tools"), chat, words.contains("vision"), words.contains("embedding"), window);
    }

    /** What {@code /api/show} said of an installed model, asked the first time; null when Ollama did not say. */
    private OllamaClient.Shown shown(String name) {
        OllamaClient.Shown cached = shown.get(name);
        if (cached != null || !picture.get().installed().containsKey(name)) {
            return cached;
        }
        Long failed = showFailed.get(name);
        if (failed != null && System.nanoTime() - failed < SHOW_RETRY_NANOS) {
            return null; // a server that did not answer is not asked again on every request's plan
        }
        try {
            OllamaClient.Shown said = client.show(name);
            shown.put(name, said);
            showFailed.remove(name);
            return said;
        } catch (IOException e) {
            showFailed.put(name, System.nanoTime());
            LOG.debug("Ollama did not answer /api/show for {}: {}", name, e.getMessage());
            return null;
        }
    }

    /** The installed models a request may fall back to: the configured ones first, then the others by name. */
    @Override
    public List<String> candidates() {
        Map<String, OllamaClient.Installed> installed = picture.get().installed();
        List<String> out = new ArrayList<>();
        configured.stream().filter(installed::containsKey).forEach(out::add);
        installed.keySet().stream().sorted().filter(m -> !out.contains(m)).forEach(out::add);
        return out;
    }

    private interface ModelList<T> {
        List<T> read() throws IOException;
    }

    private static <T> Optional<List<T>> read(String path, ModelList<T> list) {
        try {
            return Optional.of(list.read());
        } catch (IOException e) {
            LOG.debug("Ollama did not answer {}: {}", path, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public String select(String requested) {
        if (!known) {
            refresh();
        }
        return chooser.choose(picture.get(), requested); // one picture for the whole choice
    }

    /** Asks Ollama what it has when it never said (it was not up at start-up); the health timer does it after. */
    @Override
    public void look() {
        if (!known) {
            refresh();
        }
    }

    /**
     * As {@link ModelSource#choose}, without calling Ollama: every request's plan asks, and until Ollama has listed its
     * models nothing is known of them, so the call itself finds out (after {@link #look}).
     */
    @Override
    public ModelChoice choose(String requested, Needs needs) {
        if (!known) {
            return needs.embeddings()
                    ? ModelChoice.of(requested)
                    : ModelChoice.of(chooser.choose(picture.get(), requested));
        }
        return ModelSource.super.choose(requested, needs);
    }

    @Override
    public void prepare(String model) {
        loader.prepare(canonical(model.startsWith(prefix) ? model.substring(prefix.length()) : model), this::critical);
    }

    /** Critical models are never unloaded to make room: the configured ones, or by default the small ones. */
    public boolean critical(String model) {
        if (!criticalNames.isEmpty()) {
            return criticalNames.contains(model);
        }
        OllamaClient.Installed m = picture.get().installed().get(model);
        return m != null && m.sizeBytes() <= criticalMaxBytes;
    }

    /** Keeps the configured models loaded, as far as the budget allows (the warm-up timer's job). */
    public void keepWarm() {
        if (!refresh()) {
            return;
        }
        for (String model : configured) {
            ModelPicture now = picture.get();
            if (now.installed().containsKey(model) && !now.loaded().containsKey(model)) {
                try {
                    // the warm-up makes room only from models that are not configured to stay warm
                    loader.prepare(model, m -> critical(m) || configured.contains(m));
                } catch (ProviderFailure notNow) {
                    LOG.warn("Warm-up could not load {}: {}", model, notNow.label());
                }
            }
        }
    }

    /** Pulls the configured models that are not installed, logging progress (start-up, when auto-pull is on). */
    public void pullMissing() {
        if (!refresh()) {
            LOG.warn("Ollama is not answering; cannot pull {}", configured);
            return;
        }
        for (String model : configured) {
            if (picture.get().installed().containsKey(model)) {
                continue;
            }
            LOG.info("Pulling {} into Ollama ...", model);
            try {
                long[] lastPercent = {-1};
                client.pull(model, event -> {
                    long total = event.path("total").asLong(0),
                            done = event.path("completed").asLong(0);
                    long percent = total > 0 ? done * 100 / total : -1;
                    if (percent >= 0 && percent / 10 != lastPercent[0] / 10) {
                        lastPercent[0] = percent;
                        LOG.info("Pulling {}: {}% of {} MB", model, percent, total / MB);
                    } else if (total == 0) {
                        LOG.info("Pulling {}: {}", model, event.path("status").asText());
                    }
                });
                LOG.info("Pulled {}", model);
            } catch (IOException e) {
                LOG.warn("Could not pull {}: {}", model, e.getMessage());
            }
        }
        refresh();
    }

    @Override
    public List<String> models() {
        Map<String, OllamaClient.Installed> installed = picture.get().installed();
        if (installed.isEmpty()) {
            return configured;
        }
        return installed.keySet().stream().sorted().toList();
    }

    @Override
    public boolean serves(String provider, String requested) {
        if (requested == null) {
            return false;
        }
        String name = canonical(requested);
        // until Ollama has listed what it has installed, the configured models stand for it
        return requested.startsWith(provider + "/")
                || picture.get().installed().containsKey(name)
                || (!known && configured.contains(name));
    }

    @Override
    public boolean lists(String model) {
        String name = canonical(model);
        return configured.contains(name) || picture.get().installed().containsKey(name);
    }

    @Override
    public long sizeBytes(String model) {
        OllamaClient.Installed m = picture.get().installed().get(canonical(model));
        return m == null ? 0 : m.sizeBytes();
    }

    public List<OllamaClient.Installed> installed() {
        return new ArrayList<>(picture.get().installed().values());
    }

    /** The models loaded and ready to answer (not those still loading). */
    public List<OllamaClient.Loaded> loaded() {
        return new ArrayList<>(picture.get().loaded().values());
    }

    /** The models Ollama is loading now (a request for one waits for its load). */
    public Set<String> loadingNow() {
        return loader.loadingNow();
    }

    public Map<String, Object> budget() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("max_mb", loader.budgetBytes() / MB);
        b.put("used_mb", loader.used() / MB);
        return b;
    }

    /** Stops the load threads; a load in flight is interrupted and its waiters fail over. */
    @Override
    public void close() {
        loader.close();
    }
}
