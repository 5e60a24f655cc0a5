package dev.cortex.gateway;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's scenario: Groq answers 429, Ollama answers. Through both front doors, streaming and not, with the
 * attempt trail in the headers.
 */
class SeedScenarioTest {

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key", "gsk_test_seed_key_0001",
                "provider.groq.base-url", groq.baseUrl(),
                "provider.ollama.base-url", ollama.baseUrl()));
    }

    @AfterEach
    void rested() {
        groq.reset();
        ollama.reset();
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        ollama.close();
    }

    /** A 429 whose key is usable again at once, so every test sees Groq refuse afresh. */
    private static void groqRefuses() {
        groq.fault(Fault.rateLimited(Duration.ZERO));
        ollama.reply("Hola desde el backup infinito");
    }

    @Test
    void openAiJsonFallsOverToOllama() throws Exception {
        groqRefuses();
        var response = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cortex-Provider")).contains("ollama");
        assertThat(response.headers().firstValue("X-Cortex-Attempts")).contains("groq:429,ollama:ok");
        JsonNode body = Json.parse(response.body());
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hola desde el backup infinito");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(groq.chatCalls()).isEqualTo(1);
        assertThat(ollama.chatCalls()).isEqualTo(1);
    }

    @Test
    void openAiStreamFallsOverToOllama() throws Exception {
        groqRefuses();
        Http.Stream stream = Http.stream(
                cortex.url("/v1/chat/completions"),
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        assertThat(stream.header("X-Cortex-Attempts")).isEqualTo("groq:429,ollama:ok");
        assertThat(stream.lines()).last().isEqualTo("data: [DONE]");
        StringBuilder text = new StringBuilder();
        JsonNode usage = null;
        for (String line : stream.lines()) {
            if (line.equals("data: [DONE]")) {
                continue;
            }
            JsonNode chunk = Json.parse(line.substring("data: ".length()));
            if (chunk.at("/choices/0/delta/content").isTextual()) {
                text.append(chunk.at("/choices/0/delta/content").asText());
            }
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
        }
        assertThat(text.toString()).isEqualTo("Hola desde el backup infinito");
        assertThat(usage).isNotNull();
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void ollamaDoorStreamsNdjsonByDefaultWithNoModel() throws Exception {
        groqRefuses();
        Http.Stream stream = Http.stream(
                cortex.url("/api/chat"),
                "{\"messages\":[{\"role\":\"user\",\"content\":\"¡Hola desde el backup infinito!\"}]}");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("application/x-ndjson");
        assertThat(stream.header("X-Cortex-Provider")).isEqualTo("ollama");
        assertThat(stream.header("X-Cortex-Attempts")).isEqualTo("groq:429,ollama:ok");
        StringBuilder text = new StringBuilder();
        for (String line : stream.lines()) {
            text.append(Json.parse(line).at("/message/content").asText());
        }
        JsonNode last = Json.parse(stream.lines().get(stream.lines().size() - 1));
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asText()).isEqualTo("stop");
        assertThat(text.toString()).isEqualTo("Hola desde el backup infinito");
    }

    @Test
    void ollamaDoorAnswersOneObjectWithStreamFalse() throws Exception {
        groqRefuses();
        var response = Http.post(
                cortex.url("/api/chat"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}],\"stream\":false}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Cortex-Attempts")).contains("groq:429,ollama:ok");
        JsonNode body = Json.parse(response.body());
        assertThat(body.at("/message/content").asText()).isEqualTo("Hola desde el backup infinito");
        assertThat(body.get("done").asBoolean()).isTrue();
        assertThat(body.get("eval_count").asInt()).isEqualTo(5);
    }

    @Test
    void healthyGroqAnswersFirst() throws Exception {
        groq.reply("fast answer");
        var response = Http.post(
                cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.headers().firstValue("X-Cortex-Attempts")).contains("groq:ok");
        assertThat(Json.parse(response.body()).at("/choices/0/message/content").asText())
                .isEqualTo("fast answer");
        assertThat(ollama.chatCalls()).isZero();
    }
}
