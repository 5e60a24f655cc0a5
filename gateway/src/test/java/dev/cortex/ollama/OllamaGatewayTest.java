package dev.cortex.ollama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.Fault;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Ollama manager inside the real gateway, in front of the Ollama simulator. */
class OllamaGatewayTest {

    static final long MB = 1024 * 1024;
    static final String KEEP_ALIVE = "45m";
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.ollama.base-url", ollama.baseUrl(),
                "provider.ollama.keep-alive", KEEP_ALIVE,
                // not installed, so the warm-up timer loads nothing behind the tests' backs
                "provider.ollama.models", "gemma2:2b",
                "provider.ollama.timeout.first-token-ms", "1000",
                "cortex.health.period-ms", "250"));
    }

    @AfterAll
    static void stop() {
        cortex.close();
        ollama.close();
    }

    @BeforeEach
    void reset() {
        ollama.reset();
        ollama.resetModels();
        ollama.reply("answer from ollama");
        cortex.bean("ollamaBreaker", CircuitBreaker.class).reset();
    }

    private static JsonNode health() {
        try {
            return Json.parse(Http.get(cortex.url("/api/health")).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean installedSeen(String model) {
        return health().at("/providers/ollama/models/installed")
                .findValuesAsText("name")
                .contains(model);
    }

    @Test
    void aModelThatCannotFitShowsAsInsufficientMemoryInTheTrail() throws IOException {
        ollama.installModel("llama3.1:70b", 40_000 * MB, "llama", "70B"); // over the 8192 MB budget
        await().atMost(Duration.ofSeconds(5)).until(() -> installedSeen("llama3.1:70b"));
        var r = Http.post(
                cortex.url("/api/chat"),
                "{\"model\":\"llama3.1:70b\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains("ollama:insufficient_memory");
        assertThat(Json.parse(r.body()).get("error").asText()).contains("ollama: insufficient_memory");
        assertThat(ollama.loads())
                .as("nothing was loaded, nothing unloaded to try")
                .isZero();
        assertThat(cortex.bean("ollamaBreaker", CircuitBreaker.class)
                        .getMetrics()
                        .getNumberOfFailedCalls())
                .as("a model too big for the budget says nothing about Ollama's health")
                .isZero();
    }

    @Test
    void everyChatCarriesTheConfiguredKeepAlive() throws IOException {
        var json = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"provider\":\"ollama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
        assertThat(ollama.lastChatRequest().body().path("keep_alive").asText()).isEqualTo(KEEP_ALIVE);

        Http.Stream ndjson = Http.stream(
                cortex.url("/api/chat"),
                "{\"provider\":\"ollama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(ndjson.status()).isEqualTo(200);
        assertThat(Json.parse(ndjson.lines().get(ndjson.lines().size() - 1))
                        .path("done")
                        .asBoolean())
                .isTrue();
        assertThat(ollama.lastChatRequest().body().path("keep_alive").asText()).isEqualTo(KEEP_ALIVE);
        assertThat(ollama.chatCalls()).isEqualTo(2);
    }

    @Test
    void aRequestForAModelStillLoadingWaitsForTheLoadNotTheFirstTokenClock() {
        ollama.installModel("phi3:mini", 2200 * MB, "phi3", "3.8B");
        ollama.loadDelay(Duration.ofMillis(2500)); // longer than the 1 s first-token timeout
        await().atMost(Duration.ofSeconds(10)).until(() -> installedSeen("phi3:mini"));
        String body = "{\"provider\":\"ollama\",\"model\":\"phi3:mini\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        CompletableFuture<HttpResponse<String>> first =
                CompletableFuture.supplyAsync(() -> Http.post(cortex.url("/api/chat"), body));
        await().atMost(Duration.ofSeconds(10)).until(() -> ollama.requests("/api/generate") == 1);
        CompletableFuture<HttpResponse<String>> second =
                CompletableFuture.supplyAsync(() -> Http.post(cortex.url("/api/chat"), body));

        for (HttpResponse<String> r : new HttpResponse[] {first.join(), second.join()}) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains("ollama:ok");
        }
        assertThat(ollama.loads())
                .as("one load; no chat arrived while the model was loading")
                .isEqualTo(1);
        assertThat(cortex.bean("ollamaBreaker", CircuitBreaker.class)
                        .getMetrics()
                        .getNumberOfFailedCalls())
                .isZero();
    }

    @Test
    void anOllamaWhosePsFailsStillShowsItsInstalledModelsInHealth() {
        ollama.fault("/api/ps", Fault.status(500));
        ollama.installModel("mistral:7b", 4100 * MB, "llama", "7B");
        await().atMost(Duration.ofSeconds(10)).until(() -> installedSeen("mistral:7b"));
        JsonNode installed = health().at("/providers/ollama/models/installed");
        assertThat(installed.findValuesAsText("name")).contains("llama3.2:latest", "qwen2.5:0.5b", "mistral:7b");
    }
}
