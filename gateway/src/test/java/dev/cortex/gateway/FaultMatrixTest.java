package dev.cortex.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.RawHttpClient;
import dev.cortex.chat.Json;
import dev.cortex.provider.Provider;
import dev.cortex.sim.CohereSimulator;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GeminiSimulator;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;
import dev.cortex.sim.ProviderSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every fault × the failing provider's position in the chain × streaming or not, each with its exact outcome: a
 * complete answer from the right provider with the right trail, or an explicit error — no duplicated or lost tokens,
 * and no API key in any response or log line.
 */
class FaultMatrixTest {

    static final String GROQ_KEY = "gsk_test_matrix_key_0001";
    static final String GEMINI_KEY = "AIza_test_matrix_key_0001";
    static final String COHERE_KEY = "cohere_test_matrix_key_0001";
    static final List<String> CLOUD = List.of("groq", "gemini", "cohere");

    static Map<String, ProviderSimulator> sims;
    static CortexServer cortex;
    static LogCapture logs;
    static final StringBuilder everythingSent = new StringBuilder();

    @BeforeAll
    static void start() {
        sims = Map.of(
                "groq",
                new GroqSimulator().start(),
                "gemini",
                new GeminiSimulator().start(),
                "cohere",
                new CohereSimulator().start(),
                "ollama",
                new OllamaSimulator().start());
        logs = new LogCapture();
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "provider.groq.api-key",
                GROQ_KEY,
                "provider.groq.base-url",
                sims.get("groq").baseUrl(),
                "provider.gemini.api-key",
                GEMINI_KEY,
                "provider.gemini.base-url",
                sims.get("gemini").baseUrl(),
                "provider.cohere.api-key",
                COHERE_KEY,
                "provider.cohere.base-url",
                sims.get("cohere").baseUrl(),
                "provider.ollama.base-url",
                sims.get("ollama").baseUrl()));
        for (String p : List.of("groq", "gemini", "cohere", "ollama")) {
            settings.put("provider." + p + ".timeout.first-token-ms", "700");
            settings.put("provider." + p + ".timeout.idle-ms", "700");
            settings.put("provider." + p + ".timeout.total-ms", "1500");
        }
        // a caller may leave what it was sent untaken this long (longer than a provider's idle timeout, on purpose)
        settings.put("cortex.http.client-write-timeout-ms", "1500");
        // no probes during the matrix: each case sets the scene
        settings.put("cortex.health.period-ms", "3600000");
        settings.put("cortex.health.initial-delay-ms", "3600000");
        cortex = CortexServer.start(settings);
    }

    @AfterAll
    static void stop() {
        cortex.close();
        sims.values().forEach(ProviderSimulator::close);
        String logged = logs.text();
        logs.close();
        for (String key : List.of(GROQ_KEY, GEMINI_KEY, COHERE_KEY)) {
            assertThat(logged).as("logs").doesNotContain(key).doesNotContain(key.substring(4, 20));
            assertThat(everythingSent.toString())
                    .as("responses")
                    .doesNotContain(key)
                    .doesNotContain(key.substring(4, 20));
        }
    }

    /** A fault, how it shows in the trail, and whether it strikes after the first tokens (mid-stream). */
    enum Case {
        RATE_LIMITED(Fault.rateLimited(Duration.ofSeconds(30)), "429", false),
        DAILY_QUOTA(Fault.quotaExhaustedForDay(), "quota", false),
        INVALID_KEY(Fault.invalidKey(), null, false),
        STATUS_500(Fault.status(500), "500", false),
        // a provider's own limits: another provider may well accept the same request
        STATUS_400(Fault.status(400), "400", false),
        STATUS_403(Fault.status(403), "403", false),
        MODEL_NOT_FOUND(Fault.modelNotFound(), "404", false),
        STATUS_503(Fault.status(503), "503", false),
        CONNECT_REFUSED(null, "connect", false),
        SILENCE(Fault.silence(), "timeout", false),
        STALL(Fault.stallAfter(2), "timeout", true),
        CUT(Fault.cutAfter(2), "cut", true),
        ERROR_EVENT(Fault.errorEventAfter(2), "stream_error", true),
        MALFORMED(Fault.malformedChunkAfter(2), "malformed", true);

        final Fault fault;
        final String label;
        final boolean midStream;

        Case(Fault fault, String label, boolean midStream) {
            this.fault = fault;
            this.label = label;
            this.midStream = midStream;
        }

        String label(String provider) {
            if (label == null) {
                return provider.equals("gemini") ? "400" : "401"; // Gemini says 400 API_KEY_INVALID
            }
            return this == RATE_LIMITED && provider.equals("gemini")
                    ? "quota"
                    : label; // Gemini calls every 429 a quota
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Case c : Case.values()) {
            for (int position = 1; position <= 3; position++) {
                for (boolean streaming : new boolean[] {false, true}) {
                    all.add(Arguments.of(c, position, streaming));
                }
            }
        }
        return all.stream();
    }

    private static String reply(String provider) {
        return provider + " says one two three four";
    }

    @ParameterizedTest(name = "{0} at position {1}, streaming={2}")
    @MethodSource("cases")
    void faultHasItsExactOutcome(Case c, int position, boolean streaming) throws Exception {
        List<String> before = CLOUD.subList(0, position - 1);
        String faulty = CLOUD.get(position - 1);
        List<String> chain = new ArrayList<>(before);
        chain.add(faulty);
        chain.add("ollama");
        sims.forEach((name, sim) -> sim.reset().reply(reply(name)));
        restoreAll();
        before.forEach(name -> sims.get(name).fault(Fault.status(503)));
        ProviderSimulator sim = sims.get(faulty);
        int port = sim.port();
        if (c == Case.CONNECT_REFUSED) {
            sim.close();
            // until the gateway has seen its pooled connections close, a request may fail on one of them ("reset");
            // wait for the case under test — a new connection refused — then clear what those asks left behind
            String pinned = "{\"provider\":\"" + faulty + "\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
            await().atMost(Duration.ofSeconds(5)).until(() -> Http.post(cortex.url("/v1/chat/completions"), pinned)
                    .headers()
                    .firstValue("X-Cortex-Attempts")
                    .orElse("")
                    .equals(faulty + ":connect"));
            cortex.bean(faulty, Provider.class).restore();
        } else {
            sim.fault(c.fault);
        }
        try {
            String providers = "\"providers\":[\"" + String.join("\",\"", chain) + "\"],";
            String body = "{" + providers + "\"stream\":" + streaming
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
            StringBuilder expectedTrail = new StringBuilder();
            before.forEach(name -> expectedTrail.append(name).append(":503,"));
            if (streaming) {
                Http.Stream s = Http.stream(cortex.url("/v1/chat/completions"), body);
                everythingSent.append(s.response().headers()).append(s.text());
                assertThat(s.status()).isEqualTo(200);
                if (c.midStream) {
                    // past the commit point: the faulty provider's first two words, then an explicit error, never
                    // [DONE]
                    expectedTrail.append(faulty).append(":ok");
                    assertThat(s.header("X-Cortex-Attempts")).isEqualTo(expectedTrail.toString());
                    assertThat(StreamingBehaviourTest.contentOf(s)).isEqualTo(faulty + " says");
                    assertThat(s.lines().get(s.lines().size() - 1)).startsWith("data: {\"error\"");
                    assertThat(s.lines()).doesNotContain("data: [DONE]");
                    assertThat(sims.get("ollama").chatCalls()).isZero();
                } else {
                    expectedTrail
                            .append(faulty)
                            .append(':')
                            .append(c.label(faulty))
                            .append(",ollama:ok");
                    assertThat(s.header("X-Cortex-Attempts")).isEqualTo(expectedTrail.toString());
                    assertThat(StreamingBehaviourTest.contentOf(s)).isEqualTo(reply("ollama"));
                    assertThat(s.lines()).last().isEqualTo("data: [DONE]");
                }
            } else {
                var r = Http.post(cortex.url("/v1/chat/completions"), body);
                everythingSent.append(r.headers().map()).append(r.body());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                // a caller who wants one answer gets a whole one: nothing of a broken stream leaks into it
                expectedTrail.append(faulty).append(':').append(c.label(faulty)).append(",ollama:ok");
                assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains(expectedTrail.toString());
                assertThat(Json.parse(r.body()).at("/choices/0/message/content").asText())
                        .isEqualTo(reply("ollama"));
            }
            if (c != Case.CONNECT_REFUSED) {
                assertThat(sim.chatCalls())
                        .as("the faulty provider was called once")
                        .isEqualTo(1);
            }
        } finally {
            if (c == Case.CONNECT_REFUSED) {
                sim.start(port);
            }
        }
    }

    private static void restoreAll() {
        for (String name : List.of("groq", "gemini", "cohere", "ollama")) {
            cortex.bean(name, Provider.class).restore();
        }
    }

    @Test
    void whenEveryProviderRefusesTheCallerGetsEveryReasonAndWhenToComeBack() throws Exception {
        sims.forEach((name, sim) -> sim.reset());
        restoreAll();
        sims.get("groq").fault(Fault.rateLimited(Duration.ofSeconds(40)));
        sims.get("gemini").fault(Fault.rateLimited(Duration.ofSeconds(20)));
        sims.get("cohere").fault(Fault.rateLimited(Duration.ofSeconds(60)));
        sims.get("ollama").fault(Fault.status(503)); // a local model server that is down has no known end
        var r = Http.post(
                cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
        everythingSent.append(r.headers().map()).append(r.body());
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode error = Json.parse(r.body()).get("error");
        assertThat(error.get("message").asText())
                .contains(
                        "groq: 429 (rate_limited)",
                        "gemini: quota (quota_exhausted)",
                        "cohere: 429 (rate_limited)",
                        "ollama: 503 (upstream_failed)");
        // Ollama's failure has no known end, but Gemini's wait does: that is what a caller can usefully wait for
        assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()))
                .as("Gemini's 20 s, the earliest known end")
                .isBetween(19L, 22L);

        // the next request: the cloud is cooling (no call), Ollama still refuses; the same earliest end
        var cooling = Http.post(
                cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
        assertThat(cooling.statusCode()).isEqualTo(503);
        assertThat(cooling.headers().firstValue("X-Cortex-Attempts"))
                .contains("groq:cooling,gemini:cooling,cohere:cooling,ollama:503");
        assertThat(Long.parseLong(cooling.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(18L, 22L);
        assertThat(sims.get("groq").chatCalls())
                .as("a cooling provider gets no call")
                .isEqualTo(1);

        // nothing with a known end: no Retry-After, and no point retrying at once
        restoreAll();
        sims.forEach((name, sim) -> sim.reset().fault(Fault.status(500)));
        var down = Http.post(
                cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After")).isEmpty();
        assertThat(down.headers().firstValue("x-should-retry")).contains("false");
    }

    @Test
    void whenEveryProviderRefusesTheRequestItselfTheCallerGetsThe4xxWithEachReason() throws Exception {
        sims.forEach((name, sim) -> sim.reset().fault(Fault.status(400)));
        restoreAll();
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
        var openAi = Http.post(cortex.url("/v1/chat/completions"), body);
        everythingSent.append(openAi.headers().map()).append(openAi.body());
        assertThat(openAi.statusCode()).isEqualTo(400);
        assertThat(openAi.headers().firstValue("X-Cortex-Attempts"))
                .contains("groq:400,gemini:400,cohere:400,ollama:400");
        JsonNode error = Json.parse(openAi.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("rejected_by_provider");
        assertThat(error.get("message").asText())
                .contains(
                        "Every provider refused the request",
                        "groq: 400 (request_rejected) — ",
                        "gemini: 400 (request_rejected) — ",
                        "cohere: 400 (request_rejected) — ",
                        "ollama: 400 (request_rejected) — ");
        sims.forEach((name, sim) ->
                assertThat(sim.chatCalls()).as(name + " was asked").isEqualTo(1));

        // different statuses: still the request's fault everywhere; 400 stands for them together
        sims.get("cohere").fault(Fault.status(422));
        var ollamaDoor = Http.post(cortex.url("/api/chat"), body);
        assertThat(ollamaDoor.statusCode()).isEqualTo(400);
        assertThat(Json.parse(ollamaDoor.body()).get("error").asText()).contains("cohere: 422 (request_rejected)");

        // one provider that could serve but is resting: not the request's fault after all
        sims.get("gemini").fault(Fault.rateLimited(Duration.ofSeconds(30)));
        var mixed = Http.post(cortex.url("/v1/chat/completions"), body);
        assertThat(mixed.statusCode()).isEqualTo(503);
        assertThat(mixed.headers().firstValue("Retry-After")).isPresent();
    }

    // ---- the caller's faults: none may count against the provider that was serving it ----

    /** What a caller does wrong, and whether it applies to streaming callers only. */
    enum ClientFault {
        HANGS_UP_BEFORE_FIRST_TOKEN(false),
        HANGS_UP_AFTER_FIRST_TOKEN(false),
        STOPS_READING(true),
        READS_SLOWLY(true);

        final boolean streamingOnly;

        ClientFault(boolean streamingOnly) {
            this.streamingOnly = streamingOnly;
        }
    }

    static Stream<Arguments> clientCases() {
        List<Arguments> all = new ArrayList<>();
        for (ClientFault f : ClientFault.values()) {
            for (String provider : List.of("groq", "gemini", "cohere", "ollama")) {
                for (boolean streaming : new boolean[] {false, true}) {
                    if (streaming || !f.streamingOnly) {
                        all.add(Arguments.of(f, provider, streaming));
                    }
                }
            }
        }
        return all.stream();
    }

    private static double meter(String name, String provider) {
        MeterRegistry registry = cortex.bean(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        return registry.find(name).tag("provider", provider).counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum()
                + registry.find(name).tag("provider", provider).timers().stream()
                        .mapToDouble(t -> t.count())
                        .sum();
    }

    /** Words of 64 KiB: an answer large enough that a caller who stops reading fills every buffer on the way. */
    private static String bigAnswer(int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(i == 0 ? "" : " ")
                    .append(Character.toString('a' + i % 26).repeat(64 * 1024));
        }
        return text.toString();
    }

    @ParameterizedTest(name = "{0} on {1}, streaming={2}")
    @MethodSource("clientCases")
    void aCallersFaultIsNeverTheProviders(ClientFault fault, String provider, boolean streaming) {
        sims.forEach((name, sim) -> sim.reset().reply(reply(name)));
        restoreAll();
        String fallback = provider.equals("ollama") ? "groq" : "ollama";
        ProviderSimulator sim = sims.get(provider);
        Provider gateway = cortex.bean(provider, Provider.class);
        double failuresBefore = meter("cortex.provider.failures", provider);
        double firstTokensBefore = meter("cortex.provider.first.token", provider);
        double abortsBefore = meter("cortex.client.aborts", provider);
        String body = "{\"providers\":[\"" + provider + "\",\"" + fallback + "\"],\"stream\":" + streaming
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
        switch (fault) {
            case HANGS_UP_BEFORE_FIRST_TOKEN -> {
                sim.firstTokenDelay(Duration.ofMillis(500)); // within the 700 ms first-token timeout
                try (RawHttpClient client = RawHttpClient.post(cortex.port(), "/v1/chat/completions", body)) {
                    await().atMost(Duration.ofSeconds(5)).until(() -> sim.chatCalls() == 1);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.abandonedCalls() == 1);
            }
            case HANGS_UP_AFTER_FIRST_TOKEN -> {
                sim.chunkGap(Duration.ofMillis(150)); // five words: the answer takes 600 ms after its first
                try (RawHttpClient client = RawHttpClient.post(cortex.port(), "/v1/chat/completions", body)) {
                    if (streaming) {
                        assertThat(client.readUntil("\"" + provider + "\"", Duration.ofSeconds(5)))
                                .startsWith("HTTP/1.1 200 OK");
                    } else { // nothing reaches a caller who wants one answer before the end: wait for Cortex to have it
                        await().atMost(Duration.ofSeconds(5))
                                .until(() -> meter("cortex.provider.first.token", provider) > firstTokensBefore);
                    }
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.abandonedCalls() == 1);
            }
            case STOPS_READING -> {
                // 8 MiB at once, then the provider keeps the stream open without a word: Cortex, held back by the
                // caller, must neither blame the provider's silence nor keep the provider's connection
                sim.reply(bigAnswer(128)).fault(Fault.stallAfter(128));
                try (RawHttpClient client = RawHttpClient.post(cortex.port(), "/v1/chat/completions", body)) {
                    assertThat(client.readUntil("data: ", Duration.ofSeconds(5)))
                            .startsWith("HTTP/1.1 200 OK");
                    // it reads no more: after the client write timeout (1.5 s) Cortex drops it
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> meter("cortex.client.aborts", provider) > abortsBefore);
                    assertThat(client.closedByServer(Duration.ofSeconds(5)))
                            .as("the stalled caller's connection is gone")
                            .isTrue();
                    assertThat(client.text().contains("[DONE]"))
                            .as("a dropped stream never looks complete")
                            .isFalse();
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.abandonedCalls() == 1);
            }
            case READS_SLOWLY -> {
                // 8 MiB taken 2 MiB at a time with 900 ms rests: once the buffers on the way are full, each rest holds
                // the provider back longer than its idle timeout (700 ms), and the rests together longer than its total
                // timeout (1.5 s); neither clock may run while Cortex holds the provider back for the caller
                String answer = bigAnswer(128);
                sim.reply(answer);
                try (RawHttpClient client = RawHttpClient.post(cortex.port(), "/v1/chat/completions", body)) {
                    String all = client.readSlowly(
                            2 * 1024 * 1024, Duration.ofMillis(900), "data: [DONE]", Duration.ofSeconds(30));
                    // (booleans, not the text: a failure would print megabytes)
                    assertThat(all.endsWith("data: [DONE]\n\n") || all.contains("data: [DONE]"))
                            .as("the stream completed")
                            .isTrue();
                    assertThat(all.contains("\"error\"")).as("no error event").isFalse();
                    assertThat(all.contains("X-Cortex-Provider: " + provider))
                            .as("answered by the provider under test, not its fall-back")
                            .isTrue();
                    assertThat(all.contains(answer.substring(answer.length() - 64 * 1024)))
                            .as("the last word arrived")
                            .isTrue();
                }
                assertThat(gateway.breaker().getMetrics().getNumberOfSuccessfulCalls())
                        .as("a whole answer")
                        .isEqualTo(1);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.bulkhead().inUse() == 0);
        assertThat(gateway.breaker().getMetrics().getNumberOfFailedCalls())
                .as("the breaker blames no one")
                .isZero();
        if (fault != ClientFault.READS_SLOWLY) {
            assertThat(gateway.breaker().getMetrics().getNumberOfBufferedCalls())
                    .as("nor counts a success")
                    .isZero();
            assertThat(meter("cortex.client.aborts", provider))
                    .as("counted as the caller's")
                    .isEqualTo(abortsBefore + 1);
        }
        assertThat(meter("cortex.provider.failures", provider))
                .as("no provider failure metric")
                .isEqualTo(failuresBefore);
        assertThat(sims.get(fallback).chatCalls())
                .as("a caller who left gets no other provider")
                .isZero();
        assertThat(sim.chatCalls()).isEqualTo(1);
    }
}
