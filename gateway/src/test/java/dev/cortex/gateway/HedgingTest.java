package dev.cortex.gateway;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.provider.Provider;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hedged requests end to end: the strategy chosen for hedging is {@code hybrid} here (Groq, then Ollama, Gemini and
 * Cohere having no keys). Groq's first tokens are measured fast before each test, so its usual time is under the
 * 500 ms floor and a Groq call without a first token at 500 ms is joined by an Ollama call.
 */
class HedgingTest {

    static final long HEDGE_AFTER_MS = 500; // well above a loaded machine's simulated first token
    static final int MIN_SAMPLES = 5;

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() throws IOException {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_test_hedging_key_0001",
                "provider.groq.base-url",
                groq.baseUrl(),
                "provider.ollama.base-url",
                ollama.baseUrl(),
                "cortex.hedging.strategies",
                "hybrid",
                "cortex.hedging.min-samples",
                Integer.toString(MIN_SAMPLES),
                "cortex.hedging.min-delay-ms",
                Long.toString(HEDGE_AFTER_MS),
                "cortex.health.period-ms",
                "3600000",
                "cortex.health.initial-delay-ms",
                "3600000"));
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        ollama.close();
    }

    /** Groq's recent first tokens all fast (its window of recent samples is 30 long), and both simulators fresh. */
    @BeforeEach
    void warm() {
        groq.reset().reply("groq answers");
        ollama.reset().reply("ollama answers");
        cortex.bean("groq", Provider.class).restore();
        cortex.bean("ollama", Provider.class).restore();
        for (int i = 0; i < 30; i++) {
            assertThat(attempts(Http.post(cortex.url("/v1/chat/completions"), ask("warm " + i, ""))))
                    .isEqualTo("groq:ok");
        }
        groq.reset().reply("groq answers");
    }

    private static String ask(String prompt, String extra) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]" + extra + "}";
    }

    private static String attempts(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("X-Cortex-Attempts").orElseThrow();
    }

    private static double metric(String line) {
        return Http.get(cortex.url("/metrics"))
                .body()
                .lines()
                .filter(l -> l.startsWith(line + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length() + 1)))
                .findFirst()
                .orElse(0);
    }

    @Test
    void aLateProviderIsJoinedByTheNextAndTheFirstTokenAnswers() {
        groq.firstTokenDelay(Duration.ofSeconds(5));
        double hedges = metric("cortex_hedges_total{provider=\"groq\"}");

        HttpResponse<String> r = Http.post(cortex.url("/v1/chat/completions"), ask("late groq", ""));

        assertThat(attempts(r)).isEqualTo("groq:hedge_lost,ollama:ok");
        assertThat(r.body()).contains("ollama answers").doesNotContain("groq answers");
        assertThat(groq.chatCalls()).isEqualTo(1);
        assertThat(ollama.chatCalls()).isEqualTo(1);
        assertThat(metric("cortex_hedges_total{provider=\"groq\"}")).isEqualTo(hedges + 1);
        assertThat(metric("cortex_hedges_won_total{provider=\"groq\"}")).isGreaterThanOrEqualTo(1);
        // the loser was cancelled, not failed: its breaker heard nothing, and its slot is free again
        Provider groqProvider = cortex.bean("groq", Provider.class);
        assertThat(groqProvider.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> groqProvider.bulkhead().inUse() == 0);
    }

    @Test
    void aHedgedStreamCarriesOnlyTheWinnersTokens() {
        groq.firstTokenDelay(Duration.ofSeconds(5));

        HttpResponse<String> r =
                Http.post(cortex.url("/v1/chat/completions"), ask("late groq stream", ",\"stream\":true"));

        assertThat(attempts(r)).isEqualTo("groq:hedge_lost,ollama:ok");
        assertThat(r.body()).contains("ollama").doesNotContain("groq answers").contains("data: [DONE]");
    }

    @Test
    void whenTheFirstProviderAnswersAfterTheHedgeBeganTheHedgeIsCancelled() {
        groq.firstTokenDelay(Duration.ofMillis(HEDGE_AFTER_MS * 3));
        ollama.firstTokenDelay(Duration.ofSeconds(5));

        HttpResponse<String> r = Http.post(cortex.url("/v1/chat/completions"), ask("groq just late", ""));

        assertThat(attempts(r)).isEqualTo("groq:ok,ollama:hedge_lost");
        assertThat(r.body()).contains("groq answers");
        assertThat(ollama.chatCalls()).as("the hedge was made").isEqualTo(1);
    }

    @Test
    void aHedgeThatFailsLeavesTheLateProviderToAnswer() {
        groq.firstTokenDelay(Duration.ofMillis(HEDGE_AFTER_MS * 3));
        ollama.fault(Fault.status(503));

        HttpResponse<String> r = Http.post(cortex.url("/v1/chat/completions"), ask("hedge fails", ""));

        assertThat(attempts(r)).isEqualTo("groq:ok,ollama:503");
        assertThat(r.body()).contains("groq answers");
    }

    @Test
    void aProviderOnTimeIsNeverHedged() {
        for (int i = 0; i < 10; i++) {
            assertThat(attempts(Http.post(cortex.url("/v1/chat/completions"), ask("on time " + i, ""))))
                    .isEqualTo("groq:ok");
        }
        assertThat(ollama.chatCalls()).isZero();
    }

    @Test
    void aStrategyNotChosenForHedgingWaitsForTheLateProvider() {
        groq.firstTokenDelay(Duration.ofMillis(HEDGE_AFTER_MS * 3));

        HttpResponse<String> r =
                Http.post(cortex.url("/v1/chat/completions"), ask("not hedged", ",\"strategy\":\"cloud_first\""));

        assertThat(attempts(r)).isEqualTo("groq:ok");
        assertThat(ollama.chatCalls()).isZero();
    }
}
