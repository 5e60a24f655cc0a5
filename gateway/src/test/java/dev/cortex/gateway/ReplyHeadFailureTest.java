package dev.cortex.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.api.BoundedJsonReader;
import dev.cortex.api.ChatApi;
import dev.cortex.api.ChatRequestReader;
import dev.cortex.api.ErrorBodies;
import dev.cortex.api.JsonLimits;
import dev.cortex.api.OpenAiApi;
import dev.cortex.api.StreamRenderer;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ChatResult;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.Usage;
import dev.cortex.provider.Provider;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.status.RequestFeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stream whose head cannot be written ends its provider call at once: the provider's bulkhead slot is freed, the
 * upstream call is dropped, the breaker does not blame the provider, and the caller gets a clean error — not a
 * response left open, and a worker left waiting, until the provider's total timeout. The head is made to fail by a
 * door whose stream renderer throws at the commit point, after the head's headers are set.
 */
class ReplyHeadFailureTest {

    private static final String FAILING_DOOR =
            """
            - route:
                id: failing-door
                routeConfigurationId: front-door-errors
                from:
                  uri: platform-http:/test/failing-stream
                  parameters:
                    httpMethodRestrict: POST
                  steps:
                    - process:
                        ref: failingStreamRequest
                    - to: direct:chat
                    - process:
                        ref: openAiReply
            """;

    private static final String STREAM = "{\"messages\":[{\"role\":\"user\",\"content\":\"count\"}],\"stream\":true}";

    @TempDir
    static Path dir;

    static GroqSimulator groq;
    static CortexServer cortex;

    @BeforeAll
    static void start() throws IOException {
        groq = (GroqSimulator) new GroqSimulator().start();
        groq.reply("one two three");
        Files.createDirectories(dir.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve("routes").resolve(f.getFileName()));
            }
        }
        Files.copy(Path.of("application.properties"), dir.resolve("application.properties"));
        Files.writeString(dir.resolve("routes/failing-door.camel.yaml"), FAILING_DOOR);
        BoundedJsonReader json = new BoundedJsonReader(new JsonLimits(2048, 256, 32, 50_000));
        cortex = CortexServer.start(
                dir,
                Map.of(
                        "provider.groq.api-key", "gsk_test_head_key_0001",
                        "provider.groq.base-url", groq.baseUrl(),
                        // far beyond the caller's patience below: a call left hanging would show as a timeout
                        "provider.groq.timeout.total-ms", "120000"),
                Map.of(
                        "failingStreamRequest",
                        new ChatRequestReader(new StreamsFailingAtCommit(), json, new RequestFeed(10, 1))));
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
    }

    private static HttpResponse<String> post(String path) {
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url(path)))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(STREAM))
                .build());
    }

    @Test
    void aHeadThatCannotBeWrittenFreesTheSlotAndTheCallerGetsACleanError() throws Exception {
        Provider provider = cortex.bean("groq", Provider.class);
        CircuitBreaker breaker = cortex.bean("groqBreaker", CircuitBreaker.class);

        HttpResponse<String> failed = post("/test/failing-stream");

        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(500);
        JsonNode error = Json.parse(failed.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("internal_error");
        assertThat(failed.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        for (String streamHeader : List.of("X-Accel-Buffering", "Cache-Control", "X-Cortex-Model")) {
            assertThat(failed.headers().firstValue(streamHeader))
                    .as("the failed head's %s is taken back", streamHeader)
                    .isEmpty();
        }
        await("Groq's bulkhead slot freed")
                .atMost(Duration.ofSeconds(10))
                .until(() -> provider.bulkhead().inUse() == 0);
        await("the upstream call dropped").atMost(Duration.ofSeconds(10)).until(() -> groq.inFlight() == 0);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls())
                .as("the provider answered: its breaker does not count Cortex's failure")
                .isZero();

        HttpResponse<String> next = post("/v1/chat/completions");
        assertThat(next.statusCode()).as("the gateway serves on as before").isEqualTo(200);
        assertThat(next.body()).contains("\"content\":\" three\"").endsWith("data: [DONE]\n\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> provider.bulkhead().inUse() == 0);
    }

    /** OpenAI's door, except that every stream's renderer fails when asked for its opening. */
    private static final class StreamsFailingAtCommit implements ChatApi {
        private final OpenAiApi openAi = new OpenAiApi();

        @Override
        public String door() {
            return "failing-at-commit";
        }

        @Override
        public ChatRequest parse(JsonNode body) {
            return openAi.parse(body);
        }

        @Override
        public String resultContentType() {
            return openAi.resultContentType();
        }

        @Override
        public byte[] renderResult(ChatResult result) {
            return openAi.renderResult(result);
        }

        @Override
        public StreamRenderer newStream(ChatRequest request) {
            StreamRenderer real = openAi.newStream(request);
            return new StreamRenderer() {
                @Override
                public String contentType() {
                    return real.contentType();
                }

                @Override
                public byte[] open(String model) {
                    throw new IllegalStateException("this renderer fails at the commit point, as the test wants");
                }

                @Override
                public byte[] text(String text) {
                    return real.text(text);
                }

                @Override
                public byte[] toolCall(int index, String id, String name, String argumentsFragment) {
                    return real.toolCall(index, id, name, argumentsFragment);
                }

                @Override
                public byte[] close(FinishReason reason, Usage usage) {
                    return real.close(reason, usage);
                }

                @Override
                public byte[] error(String code, String message) {
                    return real.error(code, message);
                }
            };
        }

        @Override
        public byte[] renderModels(List<ModelEntry> models) {
            return openAi.renderModels(models);
        }

        @Override
        public ErrorBodies errors() {
            return openAi.errors();
        }
    }
}
