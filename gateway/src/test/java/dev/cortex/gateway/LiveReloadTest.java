package dev.cortex.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cortex.CortexMain;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.provider.Provider;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reordering the chain by editing its YAML, live: the next request follows the new order, a request in flight
 * completes, breaker state survives, and an invalid edit is refused while the last good chain keeps serving.
 */
class LiveReloadTest {

    @TempDir
    static Path dir;

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static Main main;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        copy(Path.of("routes"), dir.resolve("routes"));
        Files.copy(Path.of("application.properties"), dir.resolve("application.properties"));
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        groq.reply("groq answers");
        ollama.reply("ollama answers");
        port = freePort();
        Map<String, String> settings = new LinkedHashMap<>(Map.of(
                "camel.server.port",
                Integer.toString(port),
                "camel.management.port",
                Integer.toString(freePort()),
                "provider.groq.api-key",
                "gsk_test_reload_key_0001",
                "provider.groq.base-url",
                groq.baseUrl(),
                "provider.gemini.api-key",
                "",
                "provider.cohere.api-key",
                "",
                "provider.ollama.base-url",
                ollama.baseUrl(),
                "cortex.health.period-ms",
                "3600000",
                "cortex.health.initial-delay-ms",
                "3600000"));
        main = CortexMain.create(dir);
        settings.forEach(main::addOverrideProperty);
        main.start();
    }

    @AfterAll
    static void stop() throws Exception {
        main.stop();
        groq.close();
        ollama.close();
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String provider() {
        var r = Http.post(
                "http://127.0.0.1:" + port + "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("X-Cortex-Provider").orElseThrow();
    }

    private static String route() {
        return Http.get("http://127.0.0.1:" + port + "/api/route").body();
    }

    @Test
    void editingTheChainReordersItLiveAndKeepsState() throws Exception {
        assertThat(provider()).isEqualTo("groq");
        CircuitBreaker breaker =
                main.getCamelContext().getRegistry().lookupByNameAndType("groqBreaker", CircuitBreaker.class);
        // real traffic gives the breaker its state: one failure (a 503, then Ollama answers) and two successes
        groq.faultOnce(Fault.status(503));
        assertThat(provider()).isEqualTo("ollama");
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);

        // a slow stream from Groq is in flight while the file changes
        groq.chunkGap(Duration.ofMillis(300));
        CompletableFuture<Http.Stream> inFlight = CompletableFuture.supplyAsync(() -> Http.stream(
                "http://127.0.0.1:" + port + "/v1/chat/completions",
                "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        Provider groqProvider = main.getCamelContext().getRegistry().lookupByNameAndType("groq", Provider.class);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> groqProvider.bulkhead().inUse() == 1); // it is streaming now

        Path chain = dir.resolve("routes/chain.camel.yaml");
        String yaml = Files.readString(chain);
        String swapped = yaml.replace("              - to: direct:groq        # fast, rate-limited\n", "")
                .replace(
                        "              - to: direct:ollama      # local: no quota, the backup that never runs out\n",
                        "              - to: direct:ollama      # local first now\n              - to: direct:groq\n");
        assertThat(swapped).isNotEqualTo(yaml);
        Files.writeString(chain, swapped);
        await("the reload happens").atMost(Duration.ofSeconds(15)).until(() -> route().startsWith(
                        "{\"strategy\":\"hybrid\",\"model\":null,\"order\":[{\"provider\":\"gemini\""));
        groq.chunkGap(Duration.ZERO);
        assertThat(provider()).isEqualTo("ollama");
        Http.Stream finished = inFlight.get();
        assertThat(finished.header("X-Cortex-Provider")).isEqualTo("groq");
        assertThat(finished.lines()).last().isEqualTo("data: [DONE]");
        assertThat(StreamingBehaviourTest.contentOf(finished)).isEqualTo("groq answers");
        assertThat(main.getCamelContext().getRegistry().lookupByNameAndType("groqBreaker", CircuitBreaker.class))
                .isSameAs(breaker);
        // the reload rebuilt the route and its circuit breaker EIP, yet the breaker is the same, with what it saw:
        // the earlier failure and success, and the in-flight stream's success recorded when it ended after the reload
        assertThat(breaker.getMetrics().getNumberOfFailedCalls())
                .as("breaker state survives")
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getMetrics().getNumberOfSuccessfulCalls() == 2);

        // an invalid edit: refused with the file named, and the last good chain keeps serving
        try (LogCapture logs = new LogCapture()) {
            Files.writeString(chain, swapped + "\n- route: {id: broken, from: {uri: direct:x steps: [\n");
            await("the bad edit is reported").atMost(Duration.ofSeconds(15)).until(() -> logs.text()
                    .contains("Error reloading routes from file"));
            assertThat(logs.text()).contains("Error reloading routes from file").contains("chain.camel.yaml");
        }
        assertThat(provider()).isEqualTo("ollama");

        Files.writeString(chain, yaml); // the other test starts from the chain as shipped
        await().atMost(Duration.ofSeconds(15)).until(() -> route().contains("\"order\":[{\"provider\":\"groq\""));
    }

    @Test
    void aKeyCooldownSurvivesAReloadOfTheChain() throws Exception {
        Provider groqProvider = main.getCamelContext().getRegistry().lookupByNameAndType("groq", Provider.class);
        // Groq's only key is told to rest for a minute: a cooldown the reload must not forget
        groq.faultOnce(Fault.rateLimited(Duration.ofSeconds(60)));
        var r = Http.post(
                "http://127.0.0.1:" + port + "/v1/chat/completions",
                "{\"providers\":[\"groq\",\"ollama\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).hasValue("groq:429,ollama:ok");

        Path chain = dir.resolve("routes/chain.camel.yaml");
        String yaml = Files.readString(chain);
        Files.writeString(chain, yaml.replace("    id: chat-chain\n", "    id: chat-chain\n    description: edited\n"));
        await("the chain is rebuilt").atMost(Duration.ofSeconds(15)).until(() -> "edited"
                .equals(main.getCamelContext().getRoute("chat-chain").getDescription()));
        // the provider routes from the template still answer, and what Groq's key learnt is still known
        assertThat(route()).contains("{\"provider\":\"groq\",\"action\":\"skip\",\"reason\":\"cooling\"");
        assertThat(provider()).isEqualTo("ollama");
        assertThat(main.getCamelContext().getRegistry().lookupByNameAndType("groq", Provider.class))
                .isSameAs(groqProvider);
        assertThat(groqProvider.keys().counts().cooling()).isEqualTo(1);

        Files.writeString(chain, yaml);
        groqProvider.restore(); // the other test starts from a Groq that answers
        await().atMost(Duration.ofSeconds(15))
                .until(() -> main.getCamelContext().getRoute("chat-chain").getDescription() == null);
    }
}
