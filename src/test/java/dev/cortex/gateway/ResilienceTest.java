package dev.cortex.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.chat.Json;
import dev.cortex.provider.Provider;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/** Key pools, breakers and bulkheads, watched from the simulators' own counters. */
class ResilienceTest {

    static final String KEY_A = "gsk_test_resilience_AAA1";
    static final String KEY_B = "gsk_test_resilience_BBB2";
    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.ofEntries(
                Map.entry("groq.api-key", KEY_A + "," + KEY_B), Map.entry("groq.base-url", groq.baseUrl()),
                Map.entry("ollama.base-url", ollama.baseUrl()),
                Map.entry("cortex.breaker.sliding-window-size", "4"), Map.entry("cortex.breaker.minimum-number-of-calls", "4"),
                Map.entry("cortex.breaker.wait-in-open-seconds", "1"),
                Map.entry("groq.max-concurrent", "1"), Map.entry("ollama.max-concurrent", "1"),
                Map.entry("cortex.bulkhead.last-resort-wait-ms", "300"),
                Map.entry("cortex.health.period-ms", "3600000"), Map.entry("cortex.health.initial-delay-ms", "3600000")));
    }

    @BeforeEach
    void reset() {
        groq.reset().reply("groq answers");
        ollama.reset().reply("ollama answers");
        cortex.bean("groq", Provider.class).restore();
        cortex.bean("ollama", Provider.class).restore();
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
        ollama.close();
    }

    private static String ask() {
        var r = Http.post(cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("X-Cortex-Attempts").orElseThrow();
    }

    @Test
    void aRateLimitedKeyRestsWhileTheOtherServes() {
        groq.faultOnce(Fault.rateLimited(Duration.ofSeconds(30)));
        assertThat(ask()).isEqualTo("groq:429,groq:ok");
        String rested = groq.chatRequests().get(0).apiKey();
        assertThat(ask()).isEqualTo("groq:ok");
        assertThat(ask()).isEqualTo("groq:ok");
        assertThat(groq.chatRequests().subList(1, 4)).extracting(r -> r.apiKey()).doesNotContain(rested);
        assertThat(cortex.bean("groqBreaker", CircuitBreaker.class).getMetrics().getNumberOfFailedCalls())
                .as("a 429 while another key remains says nothing about Groq's health").isZero();
    }

    @Test
    void whenEveryKeyIsCoolingTheProviderIsSkippedWithoutACall() {
        groq.faultOnce(Fault.rateLimited(Duration.ofSeconds(30))).faultOnce(Fault.rateLimited(Duration.ofSeconds(30)));
        assertThat(ask()).isEqualTo("groq:429,groq:429,ollama:ok");
        assertThat(ask()).isEqualTo("groq:cooling,ollama:ok");
        assertThat(groq.chatCalls()).isEqualTo(2);
    }

    @Test
    void aRejectedKeyLeavesThePoolLoggedOnceAndMasked() {
        groq.acceptKeys(KEY_B);
        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < 4; i++) {
                assertThat(ask()).isIn("groq:401,groq:ok", "groq:ok");
            }
            assertThat(groq.chatRequests()).filteredOn(r -> r.apiKey().equals(KEY_A)).hasSize(1);
            String text = logs.text();
            assertThat(text).doesNotContain(KEY_A).doesNotContain(KEY_B);
            assertThat(text.split("taken out of the pool", -1)).hasSize(2);
            assertThat(text).contains("gsk_…AAA1");
        }
    }

    @Test
    void anOpenBreakerMeansNoCallsAndHalfOpenLetsOneProbeThrough() throws Exception {
        groq.fault(Fault.status(503));
        for (int i = 0; i < 4; i++) {
            assertThat(ask()).isEqualTo("groq:503,ollama:ok");
        }
        CircuitBreaker breaker = cortex.bean("groqBreaker", CircuitBreaker.class);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        groq.clearFaults();
        for (int i = 0; i < 3; i++) {
            assertThat(ask()).isEqualTo("groq:breaker_open,ollama:ok");
        }
        assertThat(groq.chatCalls()).as("an open breaker lets nothing through").isEqualTo(4);

        Thread.sleep(1300); // the breaker turns half-open on its own after 1 s
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        groq.firstTokenDelay(Duration.ofMillis(600));
        CompletableFuture<String> probe = CompletableFuture.supplyAsync(ResilienceTest::ask);
        Thread.sleep(200);
        String second = ask();
        assertThat(probe.get()).isEqualTo("groq:ok");
        assertThat(second).as("only one probe while half-open").isIn("groq:rejected,ollama:ok", "groq:busy,ollama:ok");
        assertThat(groq.chatCalls()).isEqualTo(5);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aFullProviderHandsOverAndTheLastOneWaitsABoundedTime() throws Exception {
        groq.chunkGap(Duration.ofMillis(250)); // "groq answers": a stream of about half a second
        CompletableFuture<Http.Stream> holding = CompletableFuture.supplyAsync(() ->
                Http.stream(cortex.url("/v1/chat/completions"), "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        Thread.sleep(150);
        assertThat(ask()).isEqualTo("groq:busy,ollama:ok");
        assertThat(holding.get().header("X-Cortex-Provider")).isEqualTo("groq");

        // Ollama is the last provider of a pinned request: a second caller waits up to 300 ms, then is refused
        ollama.chunkGap(Duration.ofMillis(400));
        String pinned = "{\"provider\":\"ollama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        CompletableFuture<Http.Stream> first = CompletableFuture.supplyAsync(() -> Http.stream(cortex.url("/v1/chat/completions"), pinned));
        Thread.sleep(150);
        long start = System.nanoTime();
        Http.Stream refused = Http.stream(cortex.url("/v1/chat/completions"), pinned);
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertThat(refused.status()).isEqualTo(503);
        assertThat(Json.parse(refused.text()).at("/error/message").asText()).contains("ollama: busy");
        assertThat(waited).isBetween(250L, 2_000L);
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(ollama.chatCalls()).as("the hand-over and the pinned stream; the refused one never called").isEqualTo(2);
        assertThat(Http.stream(cortex.url("/v1/chat/completions"), pinned).status()).as("the slot is free again").isEqualTo(200);
        assertThat(List.of(cortex.bean("ollama", Provider.class).bulkhead().inUse())).containsExactly(0);
    }
}
