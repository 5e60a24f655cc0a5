package dev.cortex.gateway;

import java.time.Duration;
import java.util.Map;

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
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming contract (docs/streaming.md): tokens pass as they come; fail over before the first one, never after. */
class StreamingBehaviourTest {

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    private static final String OPENAI_STREAM =
            "{\"messages\":[{\"role\":\"user\",\"content\":\"count\"}],\"stream\":true}";
    private static final String TEN_WORDS = "one two three four five six seven eight nine ten";

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key", "gsk_test_stream_key_0001",
                "provider.groq.base-url", groq.baseUrl(),
                "provider.groq.timeout.first-token-ms", "1500",
                "provider.groq.timeout.idle-ms", "1500",
                "provider.ollama.base-url", ollama.baseUrl()));
    }

    @BeforeEach
    void reset() {
        groq.reset();
        ollama.reset();
        // each test starts from a healthy Groq: earlier tests' failures would make it degraded (tried last)
        cortex.bean("groqBreaker", CircuitBreaker.class).reset();
        groq.reply(TEN_WORDS);
        ollama.reply("backup answer");
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        ollama.close();
    }

    @Test
    void tokensReachTheClientAsTheProviderSendsThem() {
        groq.chunkGap(Duration.ofMillis(100));
        Http.Stream stream = Http.stream(cortex.url("/v1/chat/completions"), OPENAI_STREAM);
        assertThat(stream.status()).isEqualTo(200);
        int first = firstContentLine(stream);
        long firstAt = stream.arrivalMillis().get(first);
        long lastAt = stream.arrivalMillis().get(stream.lines().size() - 1);
        // ten chunks 100 ms apart: a buffering gateway would deliver them all at once, at the end
        assertThat(lastAt - firstAt).isGreaterThanOrEqualTo(700);
        assertThat(stream.lines()).last().isEqualTo("data: [DONE]");
    }

    @Test
    void aStreamCutAfterTheFirstTokensEndsWithAnErrorEventAndNoDone() throws Exception {
        groq.fault(Fault.cutAfter(3));
        Http.Stream stream = Http.stream(cortex.url("/v1/chat/completions"), OPENAI_STREAM);
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("X-Cortex-Provider")).isEqualTo("groq");
        String last = stream.lines().get(stream.lines().size() - 1);
        assertThat(last).startsWith("data: {\"error\"");
        assertThat(Json.parse(last.substring(6)).at("/error/code").asText()).isEqualTo("upstream_cut");
        assertThat(stream.lines()).doesNotContain("data: [DONE]");
        assertThat(contentOf(stream)).isEqualTo("one two three");
        assertThat(ollama.chatCalls()).as("no fail-over after the commit point").isZero();
    }

    @Test
    void ollamaDoorCutStreamEndsWithAnErrorLineAndNoDone() throws Exception {
        groq.fault(Fault.cutAfter(2));
        Http.Stream stream =
                Http.stream(cortex.url("/api/chat"), "{\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}");
        JsonNode last = Json.parse(stream.lines().get(stream.lines().size() - 1));
        assertThat(last.has("error")).as(stream.text()).isTrue();
        for (String line : stream.lines()) {
            assertThat(Json.parse(line).path("done").asBoolean(false)).isFalse();
        }
    }

    @Test
    void anErrorBeforeTheFirstTokenFailsOver() throws Exception {
        groq.fault(Fault.errorEventAfter(0));
        Http.Stream stream = Http.stream(cortex.url("/v1/chat/completions"), OPENAI_STREAM);
        assertThat(stream.header("X-Cortex-Attempts")).isEqualTo("groq:stream_error,ollama:ok");
        assertThat(contentOf(stream)).isEqualTo("backup answer");
        assertThat(stream.lines()).last().isEqualTo("data: [DONE]");
    }

    @Test
    void aSilentProviderFailsOverWithinTheFirstTokenTimeout() throws Exception {
        groq.fault(Fault.silence());
        long start = System.nanoTime();
        Http.Stream stream = Http.stream(cortex.url("/v1/chat/completions"), OPENAI_STREAM);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(stream.header("X-Cortex-Attempts")).isEqualTo("groq:timeout,ollama:ok");
        assertThat(contentOf(stream)).isEqualTo("backup answer");
        assertThat(millis).isLessThan(5_000);
    }

    private static int firstContentLine(Http.Stream stream) {
        for (int i = 0; i < stream.lines().size(); i++) {
            if (stream.lines().get(i).contains("\"content\":\"one\"")) {
                return i;
            }
        }
        throw new AssertionError("no content line in " + stream.lines());
    }

    static String contentOf(Http.Stream stream) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : stream.lines()) {
            if (line.startsWith("data: {") && !line.startsWith("data: {\"error\"")) {
                JsonNode content = Json.parse(line.substring(6)).at("/choices/0/delta/content");
                if (content.isTextual()) {
                    text.append(content.asText());
                }
            }
        }
        return text.toString();
    }
}
