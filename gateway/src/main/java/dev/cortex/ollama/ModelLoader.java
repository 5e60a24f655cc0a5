package dev.cortex.ollama;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.failure.ProviderFailure;

/**
 * Loads Ollama models within a memory budget, once per model however many requests wait for it. A model counts as
 * loaded only once its one-token warm-up answered: until then it holds a reservation (its share of the budget, which
 * counts reservations and loaded models alike) and every request for it waits for the load, within the load timeout,
 * so that no chat reaches Ollama while the model is still loading and runs the shorter first-token clock against the
 * load. To make room it unloads the least recently used models that may go.
 */
final class ModelLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);
    private static final long MB = 1024 * 1024;
    /** Loads are few (one per model at a time) and mostly wait on Ollama: two let a small model load beside a big one. */
    private static final int LOADER_THREADS = 2;

    private final String provider;
    private final Predicate<String> embedsOnly;
    private final OllamaClient client;
    private final AtomicReference<ModelPicture> picture;
    private final long budgetBytes;
    private final String keepAlive;
    private final Duration loadTimeout;

    /** Models being loaded, and the bytes each will take: changed only under this object's lock. */
    private final Map<String, Long> reserved = new ConcurrentHashMap<>();

    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> loading = new ConcurrentHashMap<>();
    private final ExecutorService threads = loaderThreads();

    /** @param picture the manager's picture of Ollama: read for sizes, changed as models load and unload */
    ModelLoader(
            String provider,
            OllamaClient client,
            AtomicReference<ModelPicture> picture,
            long budgetBytes,
            String keepAlive,
            Duration loadTimeout,
            Predicate<String> embedsOnly) {
        this.embedsOnly = embedsOnly;
        this.provider = provider;
        this.client = client;
        this.picture = picture;
        this.budgetBytes = budgetBytes;
        this.keepAlive = keepAlive;
        this.loadTimeout = loadTimeout;
    }

    /**
     * Returns once {@code model} is loaded, loading it (or waiting for its load in flight) if it is not. Throws
     * {@link ProviderFailure} with no failure class when the load fails, lasts longer than the load timeout, or the
     * model cannot fit ({@code insufficient_memory}): none of these says Ollama is unwell.
     *
     * @param staying models that must not be unloaded to make room for this one
     */
    void prepare(String model, Predicate<String> staying) {
        lastUsed.put(model, System.nanoTime());
        if (!picture.get().installed().containsKey(model)) {
            return; // a missing model: Ollama's own 404 says so, and the chain moves on
        }
        // a load in flight first: Ollama may already list a model it is still loading
        CompletableFuture<Void> load = loading.get(model);
        if (load == null) {
            if (picture.get().loaded().containsKey(model)) {
                return;
            }
            load = start(model, staying);
        }
        await(model, load);
    }

    /** The models being loaded now. */
    Set<String> loadingNow() {
        return Set.copyOf(loading.keySet());
    }

    private CompletableFuture<Void> start(String model, Predicate<String> staying) {
        CompletableFuture<Void> load;
        try {
            load = loading.computeIfAbsent(model, m -> CompletableFuture.runAsync(() -> load(m, staying), threads));
        } catch (RejectedExecutionException stopped) {
            throw new ProviderFailure(provider, "stopping", null, null);
        }
        // forget the load once done; attached outside computeIfAbsent, since a quick load may already be complete
        load.whenComplete((ok, error) -> loading.remove(model, load));
        return load;
    }

    private void await(String model, CompletableFuture<Void> load) {
        try {
            load.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            String label = e.getCause() instanceof InsufficientMemory ? "insufficient_memory" : "load_failed";
            LOG.warn("Ollama could not load {}: {}", model, e.getCause().getMessage());
            throw new ProviderFailure(provider, label, null, null);
        } catch (TimeoutException e) {
            throw new ProviderFailure(provider, "load_timeout", null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailure(provider, "load_interrupted", null, null);
        }
    }

    private void load(String model, Predicate<String> staying) {
        OllamaClient.Installed installed = picture.get().installed().get(model);
        if (installed == null) {
            throw new IllegalStateException(model + " is no longer installed");
        }
        long need = installed.sizeBytes();
        if (!reserve(model, need, staying)) {
            return; // loaded since the request looked
        }
        boolean answered = false;
        try {
            long start = System.nanoTime();
            if (embedsOnly.test(model)) {
                client.embedOnce(model, keepAlive); // Ollama refuses to generate with a model that only embeds
            } else {
                client.generateOneToken(model, keepAlive);
            }
            answered = true;
            LOG.info("Ollama loaded {} ({} MB) in {} ms", model, need / MB, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            settle(model, need, answered);
        }
    }

    /**
     * Sets {@code need} bytes of the budget aside for {@code model}, first unloading least recently used models that
     * may go until they fit. Returns false when the model is loaded already.
     */
    private synchronized boolean reserve(String model, long need, Predicate<String> staying) {
        if (picture.get().loaded().containsKey(model)) {
            return false;
        }
        if (need > budgetBytes) {
            throw new InsufficientMemory(
                    model + " needs " + need / MB + " MB, the budget is " + budgetBytes / MB + " MB");
        }
        while (used() + need > budgetBytes) {
            Optional<String> victim = picture.get().loaded().keySet().stream()
                    .filter(m -> !m.equals(model) && !reserved.containsKey(m) && !staying.test(m))
                    .min(Comparator.comparingLong(m -> lastUsed.getOrDefault(m, 0L)));
            if (victim.isEmpty()) {
                throw new InsufficientMemory(
                        model + " needs " + need / MB + " MB; " + (budgetBytes - used()) / MB
                                + " MB are free and the rest is held by models that must stay (critical, kept warm, or loading)");
            }
            try {
                client.unload(victim.get());
                LOG.info("Ollama unloaded {} to make room for {}", victim.get(), model);
            } catch (IOException e) {
                throw new IllegalStateException("could not unload " + victim.get() + ": " + e.getMessage(), e);
            }
            picture.updateAndGet(p -> p.minusLoaded(victim.get()));
        }
        reserved.put(model, need);
        return true;
    }

    /** Turns a reservation into a loaded model once its warm-up answered, or gives it back. */
    private synchronized void settle(String model, long need, boolean answered) {
        if (answered) { // loaded first, then unreserved: the budget never counts less than is held
            picture.updateAndGet(p -> p.plusLoaded(new OllamaClient.Loaded(model, need, 0, null)));
        }
        reserved.remove(model);
    }

    /** Bytes held by loaded models and reservations; a model Ollama lists while it is still loading counts once. */
    long used() {
        Map<String, OllamaClient.Loaded> loaded = picture.get().loaded();
        long loadedBytes = loaded.values().stream()
                .mapToLong(OllamaClient.Loaded::sizeBytes)
                .sum();
        long reservedBytes = reserved.entrySet().stream()
                .filter(r -> !loaded.containsKey(r.getKey()))
                .mapToLong(Map.Entry::getValue)
                .sum();
        return loadedBytes + reservedBytes;
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** Stops the load threads; a load in flight is interrupted and its waiters fail over. */
    @Override
    public void close() {
        threads.shutdownNow();
    }

    /** Named daemon threads that exist only while loads run: they never hold a JVM up nor idle in a thread dump. */
    private static ExecutorService loaderThreads() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                LOADER_THREADS, LOADER_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), work -> {
                    Thread t = new Thread(work, "ollama-loader-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static final class InsufficientMemory extends RuntimeException {
        InsufficientMemory(String message) {
            super(message, null, false, false);
        }
    }
}
