package dev.cortex.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The health timer's work: probe every enabled provider at once, and wait (boundedly) for all the answers. */
public final class HealthProbes {

    private static final Logger LOG = LoggerFactory.getLogger(HealthProbes.class);

    private final ProviderRegistry providers;
    private final Runnable alsoRefresh;

    /** @param alsoRefresh more to re-read on each round (the Ollama servers' installed and loaded models) */
    public HealthProbes(ProviderRegistry providers, Runnable alsoRefresh) {
        this.providers = providers;
        this.alsoRefresh = alsoRefresh;
    }

    public void probeAll() {
        List<CompletableFuture<Void>> probes = new ArrayList<>();
        for (Provider p : providers.all()) {
            if (p.enabled()) {
                HealthState before = p.status().healthState();
                probes.add(p.probe().thenRun(() -> {
                    HealthState after = p.status().healthState();
                    if (after != before) {
                        LOG.info("{} is now {} (was {})", p.name(), after.word(), before.word());
                    }
                }));
            }
        }
        try {
            CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Some health probes did not finish within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // Camel is stopping: no refresh either
            return;
        } catch (ExecutionException e) {
            LOG.warn("Health probes failed: {}", e.getCause().toString());
        }
        alsoRefresh.run();
    }
}
