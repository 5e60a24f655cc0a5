package dev.cortex.gateway;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * The adaptive first-token clock end to end: once Groq has answered a model enough times, a Groq call that says
 * nothing is left for Ollama long before Groq's configured first-token timeout; before that, the configured one holds.
 */
class AdaptiveTimeoutTest {

    /** Groq's configured first-token timeout: the ceiling. Long, so that the adapted clock is told apart from it. */
    static final long CEILING_MS = 6_000;
    /** The adapted clock's floor: Groq's simulated first tokens take a few milliseconds, so the floor is the clock. */
    static final long FLOOR_MS = 300;

    static final int MIN_SAMPLES = 5;
    static final String WARM = "llama-3.1-8b-instant";
    static final String COLD = "llama-3.3-70b-versatile";

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() throws IOException {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_test_adaptive_key_0001",
                "provider.groq.base-url",
                groq.baseUrl(),
                "provider.ollama.base-url",
                ollama.baseUrl(),
                "provider.groq.timeout.first-token-ms",
                Long.toString(CEILING_MS),
                "cortex.timeouts.adaptive.min-samples",
                Integer.toString(MIN_SAMPLES),
                "cortex.timeouts.adaptive.floor-ms",
                Long.toString(FLOOR_MS),
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

    @BeforeEach
    void reset() {
        groq.reset().reply("groq answers");
        ollama.reset().reply("ollama answers");
        cortex.bean("groq", Provider.class).restore();
        cortex.bean("ollama", Provider.class).restore();
    }

    private static String ask(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** Asks for {@code model}; returns the attempt trail and how long the answer took, in milliseconds. */
    private static Answer timed(String model) {
        long start = System.nanoTime();
        var r = Http.post(cortex.url("/v1/chat/completions"), ask(model));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        return new Answer(r.headers().firstValue("X-Cortex-Attempts").orElseThrow(), millis);
    }

    record Answer(String attempts, long millis) {}

    private static JsonNode groqClock() throws IOException {
        var health = Http.get(cortex.url("/api/health")); // no gateway keys: a local caller sees the detail
        return new ObjectMapper()
                .readTree(health.body())
                .path("providers")
                .path("groq")
                .path("latency_ms")
                .path("first_token_timeout");
    }

    @Test
    void afterEnoughFastAnswersASilentProviderIsLeftLongBeforeItsConfiguredTimeout() throws IOException {
        for (int i = 0; i < MIN_SAMPLES; i++) {
            assertThat(timed(WARM).attempts()).isEqualTo("groq:ok");
        }
        JsonNode clock = groqClock();
        assertThat(clock.path("configured").asLong()).isEqualTo(CEILING_MS);
        assertThat(clock.path("adaptive").asBoolean()).isTrue();
        assertThat(clock.path("models").path(WARM).path("samples").asInt()).isEqualTo(MIN_SAMPLES);
        assertThat(clock.path("models").path(WARM).path("effective").asLong())
                .as("a few milliseconds times 3, raised to the floor")
                .isEqualTo(FLOOR_MS);

        assertThat(Http.get(cortex.url("/metrics")).body())
                .as("the clock in force, as a gauge")
                .contains("cortex_provider_first_token_timeout_seconds{model=\"" + WARM + "\",provider=\"groq\"} 0.3");

        groq.faultOnce(Fault.silence());
        Answer failedOver = timed(WARM);
        assertThat(failedOver.attempts())
                .as("Groq's first-token clock ran out: idle and total are far longer")
                .isEqualTo("groq:timeout,ollama:ok");
        assertThat(failedOver.millis())
                .as("the adapted %d ms clock and Ollama's answer, not the configured %d ms", FLOOR_MS, CEILING_MS)
                .isGreaterThanOrEqualTo(FLOOR_MS)
                .isLessThan(CEILING_MS / 2);
        assertThat(groqClock().path("models").path(WARM).path("samples").asInt())
                .as("the timeout is no sample")
                .isEqualTo(MIN_SAMPLES);
    }

    @Test
    void beforeEnoughSamplesTheConfiguredTimeoutHolds() throws IOException {
        for (int i = 0; i < MIN_SAMPLES - 1; i++) {
            assertThat(timed(COLD).attempts()).isEqualTo("groq:ok");
        }
        assertThat(groqClock().path("models").path(COLD).path("effective").asLong())
                .as("%d of %d samples", MIN_SAMPLES - 1, MIN_SAMPLES)
                .isEqualTo(CEILING_MS);

        groq.faultOnce(Fault.silence());
        Answer failedOver = timed(COLD);
        assertThat(failedOver.attempts()).isEqualTo("groq:timeout,ollama:ok");
        assertThat(failedOver.millis()).as("the configured clock").isGreaterThanOrEqualTo(CEILING_MS);
    }

    @Test
    void ollamaKeepsItsConfiguredClockByDefault() throws IOException {
        // a cold model's load may fall inside Ollama's first-token clock: application.properties opts it out
        var health =
                new ObjectMapper().readTree(Http.get(cortex.url("/api/health")).body());
        JsonNode clock =
                health.path("providers").path("ollama").path("latency_ms").path("first_token_timeout");
        assertThat(clock.path("adaptive").asBoolean()).isFalse();
        assertThat(clock.path("configured").asLong()).isEqualTo(60_000);
    }
}
