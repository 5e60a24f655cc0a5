package dev.cortex.ollama;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.provider.ModelSource;
import dev.cortex.routing.ProviderFailure;

/**
 * The local Ollama's models: which are installed and loaded, which one serves a request (the one asked for, else
 * one of its family, else the default), and loading it within a memory budget, once, however many requests wait
 * for it. To make room it unloads the least recently used models that are not critical; when even that is not
 * enough it says {@code insufficient_memory} and the chain moves on.
 */
public final class OllamaModels implements ModelSource {

    private static final Logger LOG = LoggerFactory.getLogger(OllamaModels.class);
    private static final Pattern FAMILY = Pattern.compile("^([a-zA-Z]+)");
    private static final long MB = 1024 * 1024;

    private final OllamaClient client;
    private final List<String> configured;
    private final long budgetBytes;
    private final Set<String> criticalNames;
    private final long criticalMaxBytes;
    private final String keepAlive;
    private final Duration loadTimeout;

    private final Map<String, OllamaClient.Installed> installed = new ConcurrentHashMap<>();
    private final Map<String, OllamaClient.Loaded> loaded = new ConcurrentHashMap<>();
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> loading = new ConcurrentHashMap<>();
    private volatile boolean known; // whether a refresh ever succeeded

    public OllamaModels(OllamaClient client, List<String> configured, long budgetMb, Set<String> criticalNames,
                        long criticalMaxMb, String keepAlive, Duration loadTimeout) {
        this.client = client;
        this.configured = configured.stream().map(OllamaModels::canonical).toList();
        this.budgetBytes = budgetMb * MB;
        this.criticalNames = criticalNames.stream().map(OllamaModels::canonical).collect(java.util.stream.Collectors.toSet());
        this.criticalMaxBytes = criticalMaxMb * MB;
        this.keepAlive = keepAlive;
        this.loadTimeout = loadTimeout;
    }

    /** {@code llama3.2} and {@code llama3.2:latest} are one model. */
    static String canonical(String name) {
        return name.contains(":") ? name : name + ":latest";
    }

    /** Re-reads what is installed and loaded. Returns false when Ollama did not answer. */
    public boolean refresh() {
        try {
            List<OllamaClient.Installed> tags = client.tags();
            List<OllamaClient.Loaded> ps = client.ps();
            installed.clear();
            tags.forEach(m -> installed.put(canonical(m.name()), m));
            Map<String, OllamaClient.Loaded> reserved = new LinkedHashMap<>();
            loading.keySet().forEach(m -> Optional.ofNullable(loaded.get(m)).ifPresent(l -> reserved.put(m, l)));
            loaded.clear();
            loaded.putAll(reserved); // loads in flight keep their share of the budget
            ps.forEach(m -> loaded.put(canonical(m.name()), m));
            known = true;
            return true;
        } catch (IOException e) {
            LOG.debug("Ollama did not answer its model lists: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public String select(String requested) {
        if (!known) {
            refresh();
        }
        if (requested != null && !requested.isBlank()) {
            String name = canonical(requested.startsWith("ollama/") ? requested.substring("ollama/".length()) : requested);
            if (installed.containsKey(name)) {
                return name;
            }
            Optional<String> sameFamily = sameFamily(name);
            if (sameFamily.isPresent()) {
                return sameFamily.get();
            }
        }
        return defaultModel();
    }

    private Optional<String> sameFamily(String name) {
        String family = family(name);
        if (family == null) {
            return Optional.empty();
        }
        // prefer what is loaded, then what is configured, then the smallest
        return installed.values().stream()
                .filter(m -> family.equalsIgnoreCase(m.family()) || family.equals(family(m.name())))
                .map(m -> canonical(m.name()))
                .min(Comparator.comparing((String n) -> !loaded.containsKey(n))
                        .thenComparing(n -> !configured.contains(n))
                        .thenComparingLong(n -> installed.get(n).sizeBytes()));
    }

    static String family(String name) {
        Matcher m = FAMILY.matcher(name);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    private String defaultModel() {
        for (String name : configured) {
            if (installed.containsKey(name)) {
                return name;
            }
        }
        if (!installed.isEmpty()) {
            return installed.keySet().stream().sorted().findFirst().orElseThrow();
        }
        return configured.isEmpty() ? "llama3.2:latest" : configured.get(0); // Ollama will say if it is missing
    }

    @Override
    public void prepare(String model) {
        prepare(model, false);
    }

    /** @param keepConfigured warm-up's way: make room only from models that are not configured to stay warm */
    private void prepare(String model, boolean keepConfigured) {
        lastUsed.put(model, System.nanoTime());
        if (loaded.containsKey(model) || !installed.containsKey(model)) {
            return; // a missing model: Ollama's own 404 says so, and the chain moves on
        }
        CompletableFuture<Void> load = loading.computeIfAbsent(model,
                m -> CompletableFuture.runAsync(() -> load(m, keepConfigured)));
        // forget the load once done; attached outside computeIfAbsent, since a quick load may already be complete
        load.whenComplete((ok, error) -> loading.remove(model, load));
        try {
            load.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            String label = e.getCause() instanceof InsufficientMemory ? "insufficient_memory" : "load_failed";
            LOG.warn("Ollama could not load {}: {}", model, e.getCause().getMessage());
            throw new ProviderFailure("ollama", label, null, null);
        } catch (TimeoutException e) {
            throw new ProviderFailure("ollama", "load_timeout", null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailure("ollama", "load_interrupted", null, null);
        }
    }

    private void load(String model, boolean keepConfigured) {
        long need = installed.get(model).sizeBytes();
        makeRoom(model, need, keepConfigured); // reserves the model's share of the budget
        try {
            long start = System.nanoTime();
            client.generateOneToken(model, keepAlive);
            LOG.info("Ollama loaded {} ({} MB) in {} ms", model, need / MB, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            loaded.remove(model);
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Unloads least recently used, non-critical models until {@code need} bytes fit in the budget. */
    private synchronized void makeRoom(String model, long need, boolean keepConfigured) {
        if (need > budgetBytes) {
            throw new InsufficientMemory(model + " needs " + need / MB + " MB, the budget is " + budgetBytes / MB + " MB");
        }
        while (used() + need > budgetBytes) {
            Optional<String> victim = loaded.keySet().stream()
                    .filter(m -> !m.equals(model) && !critical(m) && !(keepConfigured && configured.contains(m)))
                    .min(Comparator.comparingLong(m -> lastUsed.getOrDefault(m, 0L)));
            if (victim.isEmpty()) {
                throw new InsufficientMemory(model + " needs " + need / MB + " MB; " + (budgetBytes - used()) / MB
                        + " MB are free and the rest is held by models that must stay (critical, or kept warm)");
            }
            try {
                client.unload(victim.get());
                LOG.info("Ollama unloaded {} to make room for {}", victim.get(), model);
            } catch (IOException e) {
                throw new IllegalStateException("could not unload " + victim.get() + ": " + e.getMessage(), e);
            }
            loaded.remove(victim.get());
        }
        loaded.put(model, new OllamaClient.Loaded(model, need, 0, null));
    }

    private long used() {
        return loaded.values().stream().mapToLong(OllamaClient.Loaded::sizeBytes).sum();
    }

    /** Critical models are never unloaded to make room: the configured ones, or by default the small ones. */
    public boolean critical(String model) {
        if (!criticalNames.isEmpty()) {
            return criticalNames.contains(model);
        }
        OllamaClient.Installed m = installed.get(model);
        return m != null && m.sizeBytes() <= criticalMaxBytes;
    }

    /** Keeps the configured models loaded, as far as the budget allows (the warm-up timer's job). */
    public void keepWarm() {
        if (!refresh()) {
            return;
        }
        for (String model : configured) {
            if (installed.containsKey(model) && !loaded.containsKey(model)) {
                try {
                    prepare(model, true);
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
            if (installed.containsKey(model)) {
                continue;
            }
            LOG.info("Pulling {} into Ollama ...", model);
            try {
                long[] lastPercent = {-1};
                client.pull(model, event -> {
                    long total = event.path("total").asLong(0), done = event.path("completed").asLong(0);
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
        return requested.startsWith(provider + "/") || installed.containsKey(canonical(requested));
    }

    @Override
    public long sizeBytes(String model) {
        OllamaClient.Installed m = installed.get(canonical(model));
        return m == null ? 0 : m.sizeBytes();
    }

    public List<OllamaClient.Installed> installed() {
        return new ArrayList<>(installed.values());
    }

    public List<OllamaClient.Loaded> loaded() {
        return new ArrayList<>(loaded.values());
    }

    public Map<String, Object> budget() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("max_mb", budgetBytes / MB);
        b.put("used_mb", used() / MB);
        return b;
    }

    private static final class InsufficientMemory extends RuntimeException {
        InsufficientMemory(String message) {
            super(message, null, false, false);
        }
    }
}
