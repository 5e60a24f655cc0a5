package dev.cortex.gateway;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.RecordedRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fifth provider, added the way docs/providers.md says, with no Java: an OpenAI-compatible service (OpenRouter here,
 * played by an OpenAI-wire simulator) gets its provider.openrouter.* settings, one templated route line in
 * routes/providers.camel.yaml, and its place in the chain. When Groq fails, the chain fails over to it.
 */
class AddingAProviderTest {

    static final String GROQ_KEY = "gsk_test_adding_0001";
    static final String OPENROUTER_KEY = "sk-or-v1-test-adding-0002";

    @TempDir
    static Path dir;

    static GroqSimulator groq;
    static GroqSimulator openRouter;
    static CortexServer cortex;

    @BeforeAll
    static void start() throws IOException {
        groq = (GroqSimulator) new GroqSimulator().start();
        openRouter = (GroqSimulator) new GroqSimulator().start();
        groq.reply("groq answers");
        // OpenRouter's model names are its own: the simulator serves this one (and 404s any other)
        openRouter.models("meta-llama/llama-3.1-8b-instruct");
        openRouter.reply("openrouter answers");
        copyPolicy();
        Path providers = dir.resolve("routes/providers.camel.yaml");
        Files.writeString(
                providers,
                Files.readString(providers) + "- templatedRoute: { routeTemplateRef: provider, "
                        + "routeId: provider-openrouter, parameters: [ { name: name, value: openrouter } ] }\n");
        Path chain = dir.resolve("routes/chain.camel.yaml");
        String yaml = Files.readString(chain);
        String withOpenRouter = yaml.replace(
                "              - to: direct:ollama",
                "              - to: direct:openrouter\n              - to: direct:ollama");
        assertThat(withOpenRouter).isNotEqualTo(yaml);
        Files.writeString(chain, withOpenRouter);
        cortex = CortexServer.start(
                dir,
                Map.of(
                        "provider.groq.api-key",
                        GROQ_KEY,
                        "provider.groq.base-url",
                        groq.baseUrl(),
                        "provider.openrouter.kind",
                        "openai",
                        "provider.openrouter.base-url",
                        openRouter.baseUrl(),
                        "provider.openrouter.api-key",
                        OPENROUTER_KEY,
                        "provider.openrouter.models",
                        "meta-llama/llama-3.1-8b-instruct",
                        "provider.openrouter.price-per-million-tokens",
                        "0.05",
                        "cortex.health.initial-delay-ms",
                        "3600000"));
    }

    private static void copyPolicy() throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve("routes").resolve(f.getFileName()));
            }
        }
        Files.copy(Path.of("application.properties"), dir.resolve("application.properties"));
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        openRouter.close();
    }

    @Test
    void theChainFailsOverToTheProviderAddedBySettingsAndYaml() {
        groq.faultOnce(Fault.status(503));
        HttpResponse<String> r = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cortex-Provider")).hasValue("openrouter");
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).hasValue("groq:503,openrouter:ok");
        assertThat(r.body()).contains("openrouter answers");
        // its own settings, bound once: its key, its default model, and the OpenAI field for the length cap (Groq's
        // quirk, max_completion_tokens, is an option of Groq's block only)
        RecordedRequest sent = openRouter.lastChatRequest();
        assertThat(sent.headers().get("authorization")).isEqualTo("Bearer " + OPENROUTER_KEY);
        assertThat(sent.body().path("model").asText()).isEqualTo("meta-llama/llama-3.1-8b-instruct");
        assertThat(sent.body().path("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.body().has("max_completion_tokens")).isFalse();
        assertThat(groq.lastChatRequest().body().path("max_completion_tokens").asInt())
                .isEqualTo(64);
    }

    @Test
    void theNewProviderIsAFullMemberOfHealthRoutingAndMetrics() {
        assertThat(Http.get(cortex.url("/api/health")).body()).contains("\"openrouter\":{\"enabled\":true");
        assertThat(Http.get(cortex.url("/api/route")).body()).contains("{\"provider\":\"openrouter\"");
        assertThat(Http.get(cortex.url("/metrics")).body())
                .contains("resilience4j_circuitbreaker_state{name=\"openrouter\",state=\"closed\"} 1.0")
                .doesNotContain(OPENROUTER_KEY);
    }
}
