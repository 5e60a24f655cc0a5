package dev.cortex.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.chat.Json;
import dev.cortex.provider.KeyPool;
import dev.cortex.provider.Provider;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
                Map.entry("provider.groq.api-key", KEY_A + "," + KEY_B),
                Map.entry("provider.groq.base-url", groq.baseUrl()),
                Map.entry("provider.ollama.base-url", ollama.baseUrl()),
                Map.entry("cortex.breaker.sliding-window-size", "4"),
                Map.entry("cortex.breaker.minimum-number-of-calls", "4"),
                Map.entry("cortex.breaker.wait-in-open-seconds", "1"),
                // above the 50 % a stream judged twice (a success at its first token, a failure at its cut) would show
                Map.entry("cortex.breaker.failure-rate-threshold", "60"),
                Map.entry("provider.groq.timeout.first-token-ms", "1000"),
                Map.entry("cortex.providers.access-denied-pause-seconds", "1"),
                Map.entry("cortex.keys.longest-cooldown-seconds", "120"),
                Map.entry("provider.groq.max-concurrent", "1"),
                Map.entry("provider.ollama.max-concurrent", "1"),
                Map.entry("cortex.bulkhead.last-resort-wait-ms", "300"),
                Map.entry("cortex.health.period-ms", "3600000"),
                Map.entry("cortex.health.initial-delay-ms", "3600000")));
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
        var r = Http.post(
                cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("X-Cortex-Attempts").orElseThrow();
    }

    private static final String STREAM = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static java.net.http.HttpResponse<String> pinnedToGroq() {
        return Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"provider\":\"groq\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void aRateLimitedKeyRestsWhileTheOtherServes() {
        groq.faultOnce(Fault.rateLimited(Duration.ofSeconds(30)));
        assertThat(ask()).isEqualTo("groq:429,groq:ok");
        String rested = groq.chatRequests().get(0).apiKey();
        assertThat(ask()).isEqualTo("groq:ok");
        assertThat(ask()).isEqualTo("groq:ok");
        assertThat(groq.chatRequests().subList(1, 4))
                .extracting(r -> r.apiKey())
                .doesNotContain(rested);
        assertThat(cortex.bean("groqBreaker", CircuitBreaker.class).getMetrics().getNumberOfFailedCalls())
                .as("a 429 while another key remains says nothing about Groq's health")
                .isZero();
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
                // both are right: keys go round-robin, so the first request may pick the good key and never see the bad
                // one; once the bad key is out, every request is "groq:ok" (the count below pins that it is out)
                assertThat(ask()).isIn("groq:401,groq:ok", "groq:ok");
            }
            assertThat(groq.chatRequests())
                    .filteredOn(r -> r.apiKey().equals(KEY_A))
                    .hasSize(1);
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

        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
        groq.firstTokenDelay(Duration.ofMillis(600));
        CompletableFuture<String> probe = CompletableFuture.supplyAsync(ResilienceTest::ask);
        await().atMost(Duration.ofSeconds(5)).until(() -> groq.chatCalls() == 5); // the probe is at Groq now
        String second = ask();
        assertThat(probe.get()).isEqualTo("groq:ok");
        assertThat(second)
                .as("only one probe while half-open: the breaker turns the second call away")
                .isEqualTo("groq:rejected,ollama:ok");
        assertThat(groq.chatCalls()).isEqualTo(5);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aProviderThatCutsEveryStreamOpensItsBreakerAndGetsNoMoreCalls() {
        groq.fault(Fault.cutAfter(1));
        CircuitBreaker breaker = cortex.bean("groqBreaker", CircuitBreaker.class);
        for (int i = 0; i < 4; i++) {
            Http.Stream s = Http.stream(cortex.url("/v1/chat/completions"), STREAM);
            assertThat(s.header("X-Cortex-Provider")).isEqualTo("groq");
            assertThat(s.lines()).last().asString().startsWith("data: {\"error\"");
        }
        // each stream is one failure, judged when it broke: four of four, not four successes and four failures
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
        assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isZero();
        assertThat(ask()).isEqualTo("groq:breaker_open,ollama:ok");
        assertThat(Http.stream(cortex.url("/v1/chat/completions"), STREAM).header("X-Cortex-Attempts"))
                .isEqualTo("groq:breaker_open,ollama:ok");
        assertThat(groq.chatCalls()).as("no call while open").isEqualTo(4);
    }

    @Test
    void aHalfOpenProbeClosesTheBreakerOnlyWhenItsAnswerCompletes() throws Exception {
        groq.fault(Fault.status(503));
        for (int i = 0; i < 4; i++) {
            assertThat(ask()).isEqualTo("groq:503,ollama:ok");
        }
        CircuitBreaker breaker = cortex.bean("groqBreaker", CircuitBreaker.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);

        // a streamed probe: its first token is no verdict; its end is
        groq.clearFaults().reply("groq answers slowly").chunkGap(Duration.ofMillis(400));
        CompletableFuture<Http.Stream> probe =
                CompletableFuture.supplyAsync(() -> Http.stream(cortex.url("/v1/chat/completions"), STREAM));
        MeterRegistry meters = cortex.bean(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.get("cortex.provider.first.token")
                                .tag("provider", "groq")
                                .timer()
                                .count()
                        > 0);
        assertThat(breaker.getState()).as("committed, not yet complete").isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(probe.get().lines()).last().isEqualTo("data: [DONE]");
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.CLOSED);

        // a probe whose stream breaks opens the breaker again
        for (int i = 0; i < 4; i++) {
            groq.fault(Fault.status(503));
            ask();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
        groq.fault(Fault.cutAfter(1));
        Http.Stream cut = Http.stream(cortex.url("/v1/chat/completions"), STREAM);
        assertThat(cut.lines()).last().asString().startsWith("data: {\"error\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
    }

    @Test
    void aForbiddenAnswerSetsTheProviderAsideAndKeepsEveryKey() {
        groq.fault(Fault.status(403));
        assertThat(ask())
                .as("a 403 is about the account: no second key is tried")
                .isEqualTo("groq:403,ollama:ok");
        assertThat(cortex.bean("groq", Provider.class).keys().counts()).isEqualTo(new KeyPool.Counts(2, 0, 0));
        assertThat(ask()).as("set aside for a while: no call").isEqualTo("groq:access_denied,ollama:ok");
        assertThat(groq.chatCalls()).isEqualTo(1);
        groq.clearFaults();
        // the pause is a second in this test: then Groq is asked again, with its keys
        await().atMost(Duration.ofSeconds(5)).until(() -> ask().equals("groq:ok"));
        assertThat(groq.chatRequests()).extracting(r -> r.apiKey()).contains(KEY_A, KEY_B);
    }

    @Test
    void aPinnedProvidersFailureIsTheGatewaysStatusNeverItsCredentials() throws Exception {
        groq.fault(Fault.invalidKey());
        var badKeys = pinnedToGroq();
        assertThat(badKeys.statusCode())
                .as("the caller's credentials did not fail: the gateway's did")
                .isEqualTo(502);
        assertThat(Json.parse(badKeys.body()).at("/error/message").asText()).contains("groq: 401 (invalid_key)");
        assertThat(badKeys.headers().firstValue("X-Cortex-Attempts")).contains("groq:401,groq:401");
        assertThat(pinnedToGroq().statusCode())
                .as("no valid key left: unavailable")
                .isEqualTo(503);

        cortex.bean("groq", Provider.class).restore();
        groq.fault(Fault.status(403));
        assertThat(pinnedToGroq().statusCode()).isEqualTo(502);

        cortex.bean("groq", Provider.class).restore();
        groq.fault(Fault.status(500));
        assertThat(pinnedToGroq().statusCode()).isEqualTo(502);

        cortex.bean("groq", Provider.class).restore();
        groq.fault(Fault.silence());
        assertThat(pinnedToGroq().statusCode())
                .as("no first token within its timeout")
                .isEqualTo(504);

        cortex.bean("groq", Provider.class).restore();
        groq.fault(Fault.rateLimited(Duration.ofSeconds(20)));
        var limited = pinnedToGroq();
        assertThat(limited.statusCode()).isEqualTo(503);
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(19L, 22L);

        cortex.bean("groq", Provider.class).restore();
        groq.fault(Fault.status(400));
        var refused = pinnedToGroq();
        assertThat(refused.statusCode())
                .as("the request itself was refused: the caller's to fix")
                .isEqualTo(400);
        assertThat(Json.parse(refused.body()).at("/error/code").asText()).isEqualTo("rejected_by_provider");
    }

    @Test
    void aProvidersWaitIsCappedAtTheLongestCooldown() {
        groq.fault(Fault.rateLimited(Duration.ofDays(400)));
        var limited = pinnedToGroq(); // both keys told to wait 400 days
        assertThat(limited.statusCode()).isEqualTo(503);
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
                .as("capped at cortex.keys.longest-cooldown-seconds (120 here)")
                .isBetween(1L, 121L);
    }

    @Test
    void aFullProviderHandsOverAndTheLastOneWaitsABoundedTime() throws Exception {
        groq.chunkGap(Duration.ofMillis(250)); // "groq answers": a stream of about half a second
        CompletableFuture<Http.Stream> holding =
                CompletableFuture.supplyAsync(() -> Http.stream(cortex.url("/v1/chat/completions"), STREAM));
        Provider groqProvider = cortex.bean("groq", Provider.class);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> groqProvider.bulkhead().inUse() == 1);
        assertThat(ask()).isEqualTo("groq:busy,ollama:ok");
        assertThat(holding.get().header("X-Cortex-Provider")).isEqualTo("groq");

        // Ollama is the last provider of a pinned request: a second caller waits up to 300 ms, then is refused
        ollama.chunkGap(Duration.ofMillis(400));
        String pinned =
                "{\"provider\":\"ollama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        CompletableFuture<Http.Stream> first =
                CompletableFuture.supplyAsync(() -> Http.stream(cortex.url("/v1/chat/completions"), pinned));
        Provider ollamaProvider = cortex.bean("ollama", Provider.class);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ollamaProvider.bulkhead().inUse() == 1);
        long start = System.nanoTime();
        Http.Stream refused = Http.stream(cortex.url("/v1/chat/completions"), pinned);
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertThat(refused.status()).isEqualTo(503);
        assertThat(Json.parse(refused.text()).at("/error/message").asText()).contains("ollama: busy");
        assertThat(waited).isBetween(250L, 2_000L);
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(ollama.chatCalls())
                .as("the hand-over and the pinned stream; the refused one never called")
                .isEqualTo(2);
        assertThat(Http.stream(cortex.url("/v1/chat/completions"), pinned).status())
                .as("the slot is free again")
                .isEqualTo(200);
        assertThat(List.of(cortex.bean("ollama", Provider.class).bulkhead().inUse()))
                .containsExactly(0);
    }
}
