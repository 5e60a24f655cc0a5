package dev.cortex.gateway;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator sees and steers: health and its transitions, strategies per request, route explanations, metrics. */
class OperationsTest {

    static final String KEY = "gsk_test_operations_key_01";
    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        ollama.gpu(true);
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                KEY,
                "provider.groq.base-url",
                groq.baseUrl(),
                "provider.ollama.base-url",
                ollama.baseUrl(),
                "cortex.health.period-ms",
                "250"));
        groq.reply("groq answers");
        ollama.reply("ollama answers");
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        ollama.close();
    }

    private static String ask(String extra) {
        var r = Http.post(
                cortex.url("/v1/chat/completions"),
                "{" + extra + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("X-Cortex-Attempts").orElseThrow();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
    }

    private static JsonNode health() {
        try {
            return Json.parse(Http.get(cortex.url("/api/health")).body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aProviderThatGoesDownIsSkippedWithoutACallAndUsedAgainWhenItComesBack() throws Exception {
        await(
                "groq probed healthy",
                () -> Http.get(cortex.url("/api/health")).body().contains("\"probe_ok\":true"));
        assertThat(ask("")).isEqualTo("groq:ok");
        int port = groq.port();
        groq.close();
        await("groq seen down", () -> {
            try {
                return health().at("/providers/groq/health").asText().equals("unavailable");
            } catch (Exception e) {
                return false;
            }
        });
        int calls = groq.chatCalls();
        assertThat(ask("")).isEqualTo("groq:unhealthy,ollama:ok");
        assertThat(groq.chatCalls())
                .as("no request reached the provider that is down")
                .isEqualTo(calls);
        assertThat(health().at("/providers/groq/reason").asText()).isEqualTo("unhealthy");

        groq.start(port);
        await("groq back", () -> {
            try {
                return health().at("/providers/groq/health").asText().equals("available");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(ask("")).isEqualTo("groq:ok");
    }

    @Test
    void aFailedProbeNeverTurnsAwayTheLastProviderLeft() {
        // Ollama's model list fails (a probe's view), while its chat answers (what a request needs)
        ollama.fault("/api/tags", Fault.status(500));
        try {
            await(
                    "ollama probed down",
                    () -> health().at("/providers/ollama/probe_ok").asText().equals("false"));
            assertThat(ask("\"providers\":[\"ollama\",\"groq\"],"))
                    .as("another provider can serve: skipped")
                    .isEqualTo("ollama:unhealthy,groq:ok");
            assertThat(ask("\"provider\":\"ollama\","))
                    .as("the last provider left is asked all the same")
                    .isEqualTo("ollama:ok");
        } finally {
            ollama.clearFaults();
        }
        await(
                "ollama probed up",
                () -> health().at("/providers/ollama/probe_ok").asText().equals("true"));
    }

    @Test
    void healthShowsTheWholePictureAndNeverAKey() throws Exception {
        ask("\"provider\":\"ollama\",");
        await("ollama models seen", () -> {
            try {
                return health().at("/providers/ollama/models/loaded").size() > 0;
            } catch (Exception e) {
                return false;
            }
        });
        var response = Http.get(cortex.url("/api/health"));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.parse(response.body());
        assertThat(body.get("status").asText()).isEqualTo("ok");
        JsonNode g = body.at("/providers/groq");
        assertThat(g.get("enabled").asBoolean()).isTrue();
        assertThat(g.get("breaker").asText()).isEqualTo("closed");
        assertThat(g.at("/keys/usable").asInt()).isEqualTo(1);
        assertThat(g.has("latency_ms")).isTrue();
        assertThat(body.at("/providers/gemini/health").asText()).isEqualTo("disabled");
        JsonNode models = body.at("/providers/ollama/models");
        assertThat(models.get("installed").findValuesAsText("name")).contains("llama3.2:latest", "qwen2.5:0.5b");
        assertThat(models.at("/loaded/0/on_gpu").asBoolean()).isTrue();
        assertThat(models.at("/memory/max_mb").asInt()).isEqualTo(8192);
        assertThat(response.body()).doesNotContain(KEY).doesNotContain(KEY.substring(4, 20));

        var observe = Http.get("http://127.0.0.1:"
                + cortex.context()
                        .getPropertiesComponent()
                        .resolveProperty("camel.management.port")
                        .orElseThrow() + "/observe/health");
        assertThat(observe.statusCode()).isEqualTo(200);
        assertThat(observe.body()).contains("UP");
    }

    @Test
    void strategiesAndOverridesThroughBothDoors() throws Exception {
        await(
                "groq probed healthy",
                () -> Http.get(cortex.url("/api/health")).body().contains("\"probe_ok\":true"));
        assertThat(ask("\"strategy\":\"local_first\",")).isEqualTo("ollama:ok");
        assertThat(ask("\"strategy\":\"cost_first\",")).isEqualTo("ollama:ok");
        assertThat(ask("\"strategy\":\"cloud_first\",")).isEqualTo("groq:ok");
        assertThat(ask("\"providers\":[\"ollama\",\"groq\"],")).isEqualTo("ollama:ok");

        var viaHeader = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cortex.url("/api/chat")))
                .header("Content-Type", "application/json")
                .header("X-Cortex-Strategy", "local_first")
                .header("X-Cortex-Explain", "true")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build());
        assertThat(viaHeader.headers().firstValue("X-Cortex-Attempts")).contains("ollama:ok");
        assertThat(viaHeader.headers().firstValue("X-Cortex-Route"))
                .get()
                .asString()
                .startsWith("ollama");

        var unknown = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"strategy\":\"fastest\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("hybrid, cloud_first, local_first, speed_first, cost_first");
        var unknownProvider = Http.post(
                cortex.url("/api/chat"),
                "{\"provider\":\"openai\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(unknownProvider.statusCode()).isEqualTo(400);
        assertThat(Json.parse(unknownProvider.body()).get("error").asText()).contains("groq, gemini, cohere, ollama");
    }

    @Test
    void explainSaysWhyWithoutCallingAnyone() throws Exception {
        int groqCalls = groq.chatCalls(), ollamaCalls = ollama.chatCalls();
        JsonNode plan = Json.parse(
                Http.get(cortex.url("/api/route?strategy=cost_first")).body());
        assertThat(plan.get("strategy").asText()).isEqualTo("cost_first");
        assertThat(plan.get("order").findValuesAsText("provider"))
                .containsExactly("ollama", "groq", "gemini", "cohere");
        assertThat(plan.at("/order/2/reason").asText()).isEqualTo("disabled");
        assertThat(plan.at("/order/0/note").asText()).contains("0.00");
        assertThat(groq.chatCalls()).isEqualTo(groqCalls);
        assertThat(ollama.chatCalls()).isEqualTo(ollamaCalls);
    }

    @Test
    void anOperatorCanRestoreAProvider() throws Exception {
        var breaker = cortex.bean("groqBreaker", io.github.resilience4j.circuitbreaker.CircuitBreaker.class);
        breaker.transitionToForcedOpenState();
        assertThat(Json.parse(Http.get(cortex.url("/api/health")).body())
                        .at("/providers/groq/reason")
                        .asText())
                .isEqualTo("breaker_open");
        var restored = Http.post(cortex.url("/api/providers/groq/restore"), "");
        assertThat(restored.statusCode()).isEqualTo(200);
        assertThat(breaker.getState()).isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
        assertThat(Http.post(cortex.url("/api/providers/nobody/restore"), "").statusCode())
                .isEqualTo(404);
    }

    @Test
    void metricsCountWhatHappenedWithoutKeysOrPrompts() throws Exception {
        ask("\"provider\":\"groq\",");
        String metrics = Http.get(cortex.url("/metrics")).body();
        assertThat(metrics).contains("cortex_provider_attempts_total{outcome=\"ok\",provider=\"groq\"}");
        assertThat(metrics).contains("cortex_provider_first_token_seconds_bucket{provider=\"groq\"");
        assertThat(metrics).contains("cortex_provider_tokens_total{direction=\"out\",provider=\"groq\"}");
        // the breaker's own meters, from resilience4j-micrometer
        assertThat(metrics).contains("resilience4j_circuitbreaker_state{name=\"groq\",state=\"closed\"} 1.0");
        assertThat(metrics).contains("cortex_provider_keys_usable{provider=\"groq\"} 1.0");
        assertThat(metrics).contains("camel_exchanges_total");
        assertThat(metrics).doesNotContain(KEY).doesNotContain("hi\"").doesNotContain("groq answers");
    }
}
