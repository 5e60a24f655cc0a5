package dev.cortex.ollama;

import java.io.IOException;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/** The Ollama manager inside the real gateway, in front of the Ollama simulator. */
class OllamaGatewayTest {

    static final String KEEP_ALIVE = "45m";
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "ollama.base-url", ollama.baseUrl(),
                "ollama.keep-alive", KEEP_ALIVE,
                // not installed, so the warm-up timer loads nothing behind the tests' backs
                "ollama.models", "gemma2:2b",
                "ollama.timeout.first-token-ms", "1000",
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

    @Test
    void everyChatCarriesTheConfiguredKeepAlive() throws IOException {
        var json = Http.post(cortex.url("/v1/chat/completions"),
                "{\"provider\":\"ollama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
        assertThat(ollama.lastChatRequest().body().path("keep_alive").asText()).isEqualTo(KEEP_ALIVE);

        Http.Stream ndjson = Http.stream(cortex.url("/api/chat"),
                "{\"provider\":\"ollama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(ndjson.status()).isEqualTo(200);
        assertThat(Json.parse(ndjson.lines().get(ndjson.lines().size() - 1)).path("done").asBoolean()).isTrue();
        assertThat(ollama.lastChatRequest().body().path("keep_alive").asText()).isEqualTo(KEEP_ALIVE);
        assertThat(ollama.chatCalls()).isEqualTo(2);
    }
}
