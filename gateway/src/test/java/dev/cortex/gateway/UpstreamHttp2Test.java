package dev.cortex.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.RawHttpClient;
import dev.cortex.provider.Provider;
import dev.cortex.sim.GroqSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Calls to a provider over HTTP/2 (h2c with prior knowledge here, as over TLS once ALPN chose h2): many streams share
 * a bounded number of connections, a slow caller holds back its own stream only, and a caller who leaves resets its
 * own stream only. The same load with HTTP/2 off takes a connection per stream, for comparison.
 */
class UpstreamHttp2Test {

    /** Streams per connection and connections: 100 concurrent calls fit in exactly two connections. */
    private static final int STREAMS = 50;

    private static final int CONNECTIONS = 2;

    static GroqSimulator h2Groq;
    static GroqSimulator h1Groq;
    static CortexServer h2;
    static CortexServer h1;
    static ExecutorService callers;

    @BeforeAll
    static void start() {
        h2Groq = (GroqSimulator) new GroqSimulator().start();
        h1Groq = (GroqSimulator) new GroqSimulator().start();
        h2 = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_test_h2_key_0001",
                "provider.groq.base-url",
                h2Groq.baseUrl(),
                "provider.groq.http2",
                "h2c",
                "provider.groq.http2-max-streams",
                Integer.toString(STREAMS),
                "provider.groq.http2-max-connections",
                Integer.toString(CONNECTIONS),
                // a caller resting longer than this must not make the provider look idle
                "provider.groq.timeout.idle-ms",
                "1000"));
        h1 = CortexServer.start(Map.of(
                "provider.groq.api-key", "gsk_test_h2_key_0001",
                "provider.groq.base-url", h1Groq.baseUrl(),
                "provider.groq.http2", "off"));
        callers = Executors.newFixedThreadPool(100);
    }

    @BeforeEach
    void reset() {
        h2Groq.reset().reply("one two three four five");
        h1Groq.reset().reply("one two three four five");
    }

    @AfterAll
    static void stop() {
        callers.shutdownNow();
        h2.close();
        h1.close();
        h2Groq.close();
        h1Groq.close();
    }

    private static String streamBody(String prompt) {
        return "{\"providers\":[\"groq\"],\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}]}";
    }

    /** {@code n} streams held open at the simulator together, then let go: their texts, once all ended. */
    private static List<String> concurrentStreams(CortexServer cortex, GroqSimulator sim, int n, Runnable whileOpen)
            throws Exception {
        sim.holdOnce("together-");
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String body = streamBody("together-" + i);
            calls.add(CompletableFuture.supplyAsync(
                    () -> Http.post(cortex.url("/v1/chat/completions"), body).body(), callers));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> sim.heldCalls() == n);
        whileOpen.run();
        sim.releaseHeld();
        List<String> texts = new ArrayList<>();
        for (CompletableFuture<String> call : calls) {
            texts.add(call.get(30, TimeUnit.SECONDS));
        }
        return texts;
    }

    @Test
    void aHundredStreamsOverH2cShareTheConfiguredConnections() throws Exception {
        List<String> texts = concurrentStreams(h2, h2Groq, 100, () -> {
            assertThat(h2Groq.inFlight()).isEqualTo(100);
            assertThat(h2Groq.openConnections())
                    .as("100 streams at 50 a connection")
                    .isEqualTo(CONNECTIONS);
        });
        assertThat(texts).allSatisfy(text -> {
            assertThat(text).contains("\"content\":\" five\"").endsWith("data: [DONE]\n\n");
            assertThat(text).doesNotContain("\"error\"");
        });
        assertThat(h2Groq.maxConnections()).isLessThanOrEqualTo(CONNECTIONS);
    }

    @Test
    void aHundredStreamsWithHttp2OffTakeAConnectionEach() throws Exception {
        List<String> texts = concurrentStreams(h1, h1Groq, 100, () -> assertThat(h1Groq.openConnections())
                .as("HTTP/1.1: a connection per open stream")
                .isEqualTo(100));
        assertThat(texts).allSatisfy(text -> assertThat(text).endsWith("data: [DONE]\n\n"));
    }

    @Test
    void aCallerWhoLeavesResetsItsOwnStreamOnly() throws Exception {
        // a first call opens the connection the others will share
        assertThat(Http.post(h2.url("/v1/chat/completions"), streamBody("warm")).body())
                .endsWith("data: [DONE]\n\n");
        int opened = h2Groq.connectionsOpened();
        h2Groq.chunkGap(Duration.ofMillis(100)); // five words: each answer takes 400 ms after its first
        List<CompletableFuture<String>> others = new ArrayList<>();
        try (RawHttpClient leaving = RawHttpClient.post(h2.port(), "/v1/chat/completions", streamBody("leaving"))) {
            for (int i = 0; i < 5; i++) {
                String body = streamBody("staying-" + i);
                others.add(CompletableFuture.supplyAsync(
                        () -> Http.post(h2.url("/v1/chat/completions"), body).body(), callers));
            }
            assertThat(leaving.readUntil("\"content\":\"one\"", Duration.ofSeconds(10)))
                    .startsWith("HTTP/1.1 200 OK");
            await().atMost(Duration.ofSeconds(10)).until(() -> h2Groq.inFlight() == 6);
        } // the caller hangs up mid-stream
        await().atMost(Duration.ofSeconds(5)).until(() -> h2Groq.abandonedCalls() == 1);
        for (CompletableFuture<String> other : others) {
            assertThat(other.get(30, TimeUnit.SECONDS))
                    .as("the streams sharing the connection went on")
                    .contains("\"content\":\" five\"")
                    .doesNotContain("\"error\"")
                    .endsWith("data: [DONE]\n\n");
        }
        assertThat(h2Groq.connectionsOpened())
                .as("the connection survived the reset: no new one was needed")
                .isEqualTo(opened);
        assertThat(h2Groq.abandonedCalls()).isEqualTo(1);
    }

    /**
     * A provider's server closes a connection that sends it too many resets (HTTP/2 rapid-reset protection: 200 in
     * 30 s for Vert.x and Netty servers, the simulator's too). Callers leaving in bulk must not cost the callers who
     * stay their streams, nor the provider its health: past a budget, a left stream is read out instead of reset.
     */
    @Test
    void callersLeavingInBulkDoNotCostTheConnectionItsOtherStreams() throws Exception {
        // a Cortex of its own: the budget of resets is its connections', and the other tests must start afresh
        try (GroqSimulator groq = (GroqSimulator) new GroqSimulator().start();
                CortexServer cortex = CortexServer.start(Map.of(
                        "provider.groq.api-key", "gsk_test_h2_key_0002",
                        "provider.groq.base-url", groq.baseUrl(),
                        "provider.groq.http2", "h2c"))) {
            groq.reply("one two three four five");
            assertThat(Http.post(cortex.url("/v1/chat/completions"), streamBody("warm"))
                            .body())
                    .endsWith("data: [DONE]\n\n");
            int opened = groq.connectionsOpened();
            groq.chunkGap(Duration.ofMillis(20)); // five words: a left answer is still running when its caller goes
            groq.holdOnce("staying-");
            List<CompletableFuture<String>> staying = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String body = streamBody("staying-" + i);
                staying.add(CompletableFuture.supplyAsync(
                        () -> Http.post(cortex.url("/v1/chat/completions"), body)
                                .body(),
                        callers));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> groq.heldCalls() == 3);
            for (int i = 0; i < 250; i++) {
                try (RawHttpClient leaving =
                        RawHttpClient.post(cortex.port(), "/v1/chat/completions", streamBody("leaving-" + i))) {
                    assertThat(leaving.readUntil("\"content\":\"one\"", Duration.ofSeconds(10)))
                            .startsWith("HTTP/1.1 200 OK");
                } // the caller hangs up mid-stream
            }
            groq.releaseHeld();
            for (CompletableFuture<String> other : staying) {
                assertThat(other.get(30, TimeUnit.SECONDS))
                        .as("the streams that stayed went on")
                        .contains("\"content\":\" five\"")
                        .doesNotContain("\"error\"")
                        .endsWith("data: [DONE]\n\n");
            }
            assertThat(groq.connectionsOpened())
                    .as("the connection was not closed on Cortex")
                    .isEqualTo(opened);
            // the budget (provider/ResetBudget): 100 resets per connection in 30 s; the other 150 answers ran out
            await().atMost(Duration.ofSeconds(10)).until(() -> groq.abandonedCalls() == 100);
            assertThat(cortex.bean("groq", Provider.class)
                            .breaker()
                            .getMetrics()
                            .getNumberOfFailedCalls())
                    .isZero();
        }
    }

    @Test
    void aSlowCallerHoldsBackItsOwnStreamOnly() throws Exception {
        String answer = bigAnswer(128);
        Provider groq = h2.bean("groq", Provider.class);
        h2Groq.replyTo(prompt -> prompt.equals("big") ? answer : "one two three four five");
        // a first call opens the connection both streams will share
        assertThat(Http.post(h2.url("/v1/chat/completions"), streamBody("warm")).body())
                .endsWith("data: [DONE]\n\n");
        int opened = h2Groq.connectionsOpened();
        try (RawHttpClient slow = RawHttpClient.post(h2.port(), "/v1/chat/completions", streamBody("big"))) {
            assertThat(slow.readUntil("data: ", Duration.ofSeconds(10))).startsWith("HTTP/1.1 200 OK");
            // the caller reads no more: the provider is held back (its answer stays unfinished) for longer than the
            // idle timeout, without the call failing
            await().during(Duration.ofMillis(2_000))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> h2Groq.inFlight() == 1);
            // meanwhile another stream on the same connection flows
            assertThat(Http.post(h2.url("/v1/chat/completions"), streamBody("small"))
                            .body())
                    .contains("\"content\":\" five\"")
                    .endsWith("data: [DONE]\n\n");
            assertThat(h2Groq.inFlight())
                    .as("the big answer is still held back")
                    .isEqualTo(1);
            String all = slow.readUntil("data: [DONE]", Duration.ofSeconds(30));
            // (booleans, not the text: a failure would print megabytes)
            assertThat(all.contains("data: [DONE]"))
                    .as("the held stream completed")
                    .isTrue();
            assertThat(all.contains("\"error\"")).as("no error event").isFalse();
            assertThat(all.contains(answer.substring(answer.length() - 64 * 1024)))
                    .as("the last word arrived")
                    .isTrue();
        }
        assertThat(h2Groq.abandonedCalls()).isZero();
        assertThat(h2Groq.connectionsOpened())
                .as("both streams on the one connection")
                .isLessThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> groq.bulkhead().inUse() == 0);
        assertThat(groq.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    /** Words of 64 KiB: an answer that fills every buffer on the way to a caller who stops reading. */
    private static String bigAnswer(int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(i == 0 ? "" : " ")
                    .append(Character.toString('a' + i % 26).repeat(64 * 1024));
        }
        return text.toString();
    }
}
