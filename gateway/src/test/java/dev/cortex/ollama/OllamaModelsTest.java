package dev.cortex.ollama;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.failure.ProviderFailure;
import dev.cortex.provider.ProviderSettings;
import dev.cortex.sim.Fault;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Ollama model manager against the Ollama simulator's model state. */
class OllamaModelsTest {

    static final long MB = 1024 * 1024;
    static OllamaSimulator ollama;
    final List<OllamaModels> managers = new ArrayList<>();

    @BeforeAll
    static void start() {
        ollama = (OllamaSimulator) new OllamaSimulator().start();
    }

    @AfterAll
    static void stop() {
        ollama.close();
    }

    @BeforeEach
    void models() {
        ollama.reset();
        ollama.resetModels();
        ollama.installModel("llama3.1:8b", 4700 * MB, "llama", "8B");
        ollama.installModel("mistral:7b", 4100 * MB, "llama", "7B");
        ollama.installModel("phi3:mini", 2200 * MB, "phi3", "3.8B");
    }

    @AfterEach
    void closeManagers() {
        managers.forEach(OllamaModels::close);
    }

    private OllamaModels manager(long budgetMb, Set<String> critical, String... configured) {
        return manager(Duration.ofSeconds(10), budgetMb, critical, configured);
    }

    private OllamaModels manager(Duration loadTimeout, long budgetMb, Set<String> critical, String... configured) {
        OllamaModels m = new OllamaModels(
                "ollama",
                new OllamaClient(ollama.baseUrl(), loadTimeout),
                List.of(configured),
                budgetMb,
                critical,
                1024,
                "30m",
                loadTimeout,
                new ProviderSettings("ollama"));
        managers.add(m);
        return m;
    }

    private static List<String> names(List<OllamaClient.Loaded> loaded) {
        return loaded.stream().map(OllamaClient.Loaded::name).toList();
    }

    @Test
    void selectsTheRequestedModelElseItsFamilyElseTheDefault() {
        OllamaModels m = manager(16384, Set.of(), "qwen2.5:0.5b", "llama3.2");
        assertThat(m.select("llama3.1:8b")).isEqualTo("llama3.1:8b");
        assertThat(m.select("llama3.2")).isEqualTo("llama3.2:latest");
        assertThat(m.select("llama3.3:70b"))
                .as("same family, preferring a configured one")
                .isEqualTo("llama3.2:latest");
        assertThat(m.select("gpt-4o"))
                .as("no family: the first configured model installed")
                .isEqualTo("qwen2.5:0.5b");
        assertThat(m.select(null)).isEqualTo("qwen2.5:0.5b");
        assertThat(m.select("ollama/phi3:mini")).isEqualTo("phi3:mini");
    }

    @Test
    void untilOllamaHasListedItsModelsTheConfiguredOnesStandForThem() {
        OllamaModels m = manager(16384, Set.of(), "granite3:2b");
        // no refresh yet: a request naming a configured model is still Ollama's, and only such a model
        assertThat(m.serves("ollama", "granite3:2b")).isTrue();
        assertThat(m.serves("ollama", "mistral:7b")).isFalse();
        assertThat(m.refresh()).isTrue();
        assertThat(m.serves("ollama", "mistral:7b")).isTrue();
        assertThat(m.serves("ollama", "granite3:2b"))
                .as("configured but not installed")
                .isFalse();
    }

    @Test
    void loadsLazilyWithARealTokenAndOnlyOnceUnderConcurrency() throws Exception {
        ollama.loadDelay(Duration.ofMillis(300));
        OllamaModels m = manager(16384, Set.of(), "llama3.2");
        m.refresh();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waiting.add(CompletableFuture.runAsync(() -> m.prepare("phi3:mini")));
        }
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get();
        assertThat(ollama.loads()).as("eight requests, one load").isEqualTo(1);
        assertThat(ollama.loadedModels()).containsExactly("phi3:mini");
        assertThat(ollama.requests("/api/generate")).isEqualTo(1);
        m.prepare("phi3:mini");
        assertThat(ollama.requests("/api/generate"))
                .as("a loaded model needs no load")
                .isEqualTo(1);
    }

    @Test
    void unloadsLeastRecentlyUsedNonCriticalModelsToFitTheBudget() {
        OllamaModels m = manager(8000, Set.of(), "llama3.2");
        m.refresh();
        m.prepare("llama3.1:8b"); // 4700
        m.prepare("phi3:mini"); // 2200 -> 6900 used
        m.prepare("llama3.1:8b"); // used again: phi3 is now the least recently used
        m.prepare("llama3.2:latest"); // 2019 more does not fit in 8000: phi3 goes
        assertThat(ollama.unloads()).containsExactly("phi3:mini");
        assertThat(ollama.loadedModels()).containsExactlyInAnyOrder("llama3.1:8b", "llama3.2:latest");
    }

    @Test
    void criticalModelsStayAndWhatCannotFitIsRefused() {
        OllamaModels m = manager(7000, Set.of("llama3.1:8b"), "llama3.2");
        m.refresh();
        m.prepare("llama3.1:8b"); // 4700, critical
        assertThatThrownBy(() -> m.prepare("mistral:7b")) // 4100 would need the critical model gone
                .isInstanceOfSatisfying(
                        ProviderFailure.class, f -> assertThat(f.label()).isEqualTo("insufficient_memory"));
        assertThat(ollama.unloads()).isEmpty();
        assertThat(ollama.loadedModels()).containsExactly("llama3.1:8b");
        OllamaModels small = manager(1000, Set.of(), "llama3.2");
        small.refresh();
        assertThatThrownBy(() -> small.prepare("mistral:7b"))
                .as("bigger than the whole budget")
                .isInstanceOf(ProviderFailure.class);
    }

    @Test
    void smallModelsAreCriticalByDefault() {
        OllamaModels m = manager(8192, Set.of(), "llama3.2");
        m.refresh();
        assertThat(m.critical("qwen2.5:0.5b")).isTrue(); // 398 MB <= 1024 MB
        assertThat(m.critical("llama3.1:8b")).isFalse();
    }

    @Test
    void autoPullFetchesTheMissingConfiguredModelsOnly() {
        ollama.pullable("gemma2:2b", 1600 * MB, "gemma2");
        OllamaModels m = manager(8192, Set.of(), "llama3.2", "gemma2:2b");
        m.pullMissing();
        assertThat(ollama.pulls()).isEqualTo(1);
        assertThat(m.models()).contains("gemma2:2b");
        m.pullMissing();
        assertThat(ollama.pulls()).as("nothing is missing any more").isEqualTo(1);
    }

    @Test
    void warmUpLoadsTheConfiguredModelsWithinTheBudget() {
        OllamaModels m = manager(5000, Set.of(), "llama3.2", "phi3:mini", "llama3.1:8b");
        m.keepWarm();
        assertThat(ollama.loadedModels()).contains("llama3.2:latest", "phi3:mini");
        assertThat(ollama.loadedModels()).doesNotContain("llama3.1:8b"); // 4700 more MB would not fit
    }

    @Test
    void aModelIsLoadedOnlyOnceItsWarmUpAnsweredAndRequestsMeanwhileWaitForIt() {
        ollama.loadDelay(Duration.ofMillis(1500));
        OllamaModels m = manager(16384, Set.of(), "llama3.2");
        m.refresh();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> m.prepare("phi3:mini"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ollama.requests("/api/generate") == 1);
        assertThat(names(m.loaded())).as("still loading: not loaded yet").doesNotContain("phi3:mini");
        assertThat(m.budget().get("used_mb")).as("but its memory is reserved").isEqualTo(2200L);

        AtomicBoolean loadedWhenSecondWasReady = new AtomicBoolean();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            m.prepare("phi3:mini");
            loadedWhenSecondWasReady.set(ollama.loadedModels().contains("phi3:mini"));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> first.isDone() && second.isDone());
        assertThat(first).isNotCompletedExceptionally();
        assertThat(second).isNotCompletedExceptionally();
        assertThat(loadedWhenSecondWasReady)
                .as("the second request waited for the load")
                .isTrue();
        assertThat(ollama.loads()).isEqualTo(1);
        assertThat(names(m.loaded())).contains("phi3:mini");
        assertThat(m.budget().get("used_mb"))
                .as("the reservation became the loaded model, counted once")
                .isEqualTo(2200L);
    }

    @Test
    void aRequestJoiningALoadThatOutlastsTheLoadTimeoutFailsWithoutBlamingOllama() {
        ollama.loadDelay(Duration.ofSeconds(3));
        OllamaModels m = manager(Duration.ofMillis(700), 16384, Set.of(), "llama3.2");
        m.refresh();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> m.prepare("phi3:mini"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ollama.requests("/api/generate") == 1);
        AtomicReference<Throwable> secondFailure = new AtomicReference<>();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> m.prepare("phi3:mini"))
                .whenComplete((ok, error) -> secondFailure.set(error));
        await().atMost(Duration.ofSeconds(10)).until(() -> first.isDone() && second.isDone());
        assertThat(secondFailure.get())
                .as("the joining request waited, and gave up with the load")
                .hasCauseInstanceOf(ProviderFailure.class);
        ProviderFailure failure = (ProviderFailure) secondFailure.get().getCause();
        // the load's own call gives up after the same timeout, so the waiter sees whichever comes first
        assertThat(failure.label()).isIn("load_timeout", "load_failed");
        assertThat(failure.failureClass())
                .as("a slow load says nothing about Ollama's health")
                .isNull();
        assertThat(failure.countsAgainstBreaker()).isFalse();
        // the simulator finishes its load late; let it, so it does not land in the next test's state
        await().atMost(Duration.ofSeconds(10)).until(() -> ollama.loadedModels().contains("phi3:mini"));
    }

    @Test
    void aRefreshNeverShowsAnEmptyOrPartialPictureToAConcurrentSelection() {
        for (int i = 0; i < 300; i++) { // a large library makes a partial picture last long enough to be seen
            ollama.installModel("tinyllm-" + i + ":1b", 100 * MB, "tiny", "1B");
        }
        OllamaModels m = manager(16384, Set.of(), "gemma2:2b", "llama3.2"); // gemma2 is not installed
        m.refresh();
        assertThat(m.select(null)).isEqualTo("llama3.2:latest");
        AtomicBoolean refreshing = new AtomicBoolean(true);
        CompletableFuture<Void> refreshes = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 150; i++) {
                m.refresh();
            }
            refreshing.set(false);
        });
        List<String> wrong = new ArrayList<>();
        while (refreshing.get() && wrong.isEmpty()) {
            String chosen = m.select(null);
            if (!chosen.equals("llama3.2:latest")) {
                wrong.add(chosen);
            }
        }
        refreshes.join();
        assertThat(wrong).as("selections made while the lists were re-read").isEmpty();
    }

    @Test
    void loadsRunOnTheManagersOwnNamedThreadsWhichStopWithIt() {
        ollama.loadDelay(Duration.ofMillis(1500));
        OllamaModels m = manager(16384, Set.of(), "llama3.2");
        m.refresh();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> m.prepare("phi3:mini"));
        await().atMost(Duration.ofSeconds(10)).until(() -> loaderThreads() > 0);
        await().atMost(Duration.ofSeconds(10)).until(load::isDone);
        m.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> loaderThreads() == 0);
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ollama-loader-") && t.isAlive() && t.isDaemon())
                .count();
    }

    @Test
    void aFailingPsKeepsTheLastLoadedPictureWhileTheInstalledListIsRefreshed() {
        OllamaModels m = manager(16384, Set.of(), "llama3.2");
        ollama.loadModel("llama3.2");
        m.refresh();
        assertThat(names(m.loaded())).containsExactly("llama3.2:latest");

        ollama.fault("/api/ps", Fault.status(500));
        ollama.installModel("gemma2:2b", 1600 * MB, "gemma2", "2B");
        assertThat(m.refresh()).as("Ollama answered its installed models").isTrue();
        assertThat(m.installed()).extracting(OllamaClient.Installed::name).contains("gemma2:2b");
        assertThat(m.select("gemma2:2b")).isEqualTo("gemma2:2b");
        assertThat(names(m.loaded())).as("the last known loaded models").containsExactly("llama3.2:latest");
    }

    @Test
    void anOllamaWhosePsNeverAnsweredStillHasItsInstalledModelsSeen() {
        ollama.fault("/api/ps", Fault.cutAfter(0));
        OllamaModels m = manager(16384, Set.of(), "gemma2:2b", "llama3.2");
        assertThat(m.select(null))
                .as("the first configured model that is installed")
                .isEqualTo("llama3.2:latest");
        assertThat(m.models()).contains("phi3:mini", "llama3.1:8b");
        assertThat(m.loaded()).isEmpty();
    }
}
