package dev.cortex.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.LogCapture;
import dev.cortex.chat.Json;
import dev.cortex.provider.Provider;
import dev.cortex.sim.CohereSimulator;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GeminiSimulator;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;
import dev.cortex.sim.ProviderSimulator;

import static org.assertj.core.api.Assertions.assertThat;

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
        sims = Map.of("groq", new GroqSimulator().start(), "gemini", new GeminiSimulator().start(),
                "cohere", new CohereSimulator().start(), "ollama", new OllamaSimulator().start());
        logs = new LogCapture();
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "groq.api-key", GROQ_KEY, "groq.base-url", sims.get("groq").baseUrl(),
                "gemini.api-key", GEMINI_KEY, "gemini.base-url", sims.get("gemini").baseUrl(),
                "cohere.api-key", COHERE_KEY, "cohere.base-url", sims.get("cohere").baseUrl(),
                "ollama.base-url", sims.get("ollama").baseUrl()));
        for (String p : List.of("groq", "gemini", "cohere", "ollama")) {
            settings.put(p + ".timeout.first-token-ms", "700");
            settings.put(p + ".timeout.idle-ms", "700");
        }
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
            assertThat(everythingSent.toString()).as("responses").doesNotContain(key).doesNotContain(key.substring(4, 20));
        }
    }

    /** A fault, how it shows in the trail, and whether it strikes after the first tokens (mid-stream). */
    enum Case {
        RATE_LIMITED(Fault.rateLimited(Duration.ofSeconds(30)), "429", false),
        DAILY_QUOTA(Fault.quotaExhaustedForDay(), "quota", false),
        INVALID_KEY(Fault.invalidKey(), null, false),
        STATUS_500(Fault.status(500), "500", false),
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
            return this == RATE_LIMITED && provider.equals("gemini") ? "quota" : label; // Gemini calls every 429 a quota
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
        for (String name : List.of("groq", "gemini", "cohere", "ollama")) {
            cortex.bean(name, Provider.class).restore();
        }
        before.forEach(name -> sims.get(name).fault(Fault.status(503)));
        ProviderSimulator sim = sims.get(faulty);
        int port = sim.port();
        if (c == Case.CONNECT_REFUSED) {
            sim.close();
            Thread.sleep(50); // the gateway's pooled connections see the close
        } else {
            sim.fault(c.fault);
        }
        try {
            String providers = "\"providers\":[\"" + String.join("\",\"", chain) + "\"],";
            String body = "{" + providers + "\"stream\":" + streaming + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
            StringBuilder expectedTrail = new StringBuilder();
            before.forEach(name -> expectedTrail.append(name).append(":503,"));
            if (streaming) {
                Http.Stream s = Http.stream(cortex.url("/v1/chat/completions"), body);
                everythingSent.append(s.response().headers()).append(s.text());
                assertThat(s.status()).isEqualTo(200);
                if (c.midStream) {
                    // past the commit point: the faulty provider's first two words, then an explicit error, never [DONE]
                    expectedTrail.append(faulty).append(":ok");
                    assertThat(s.header("X-Cortex-Attempts")).isEqualTo(expectedTrail.toString());
                    assertThat(StreamingBehaviourTest.contentOf(s)).isEqualTo(faulty + " says");
                    assertThat(s.lines().get(s.lines().size() - 1)).startsWith("data: {\"error\"");
                    assertThat(s.lines()).doesNotContain("data: [DONE]");
                    assertThat(sims.get("ollama").chatCalls()).isZero();
                } else {
                    expectedTrail.append(faulty).append(':').append(c.label(faulty)).append(",ollama:ok");
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
                assertThat(Json.parse(r.body()).at("/choices/0/message/content").asText()).isEqualTo(reply("ollama"));
            }
            if (c != Case.CONNECT_REFUSED) {
                assertThat(sim.chatCalls()).as("the faulty provider was called once").isEqualTo(1);
            }
        } finally {
            if (c == Case.CONNECT_REFUSED) {
                sim.start(port);
            }
        }
    }

    @Test
    void whenEveryProviderRefusesTheCallerGetsEveryReasonAndNoKey() throws Exception {
        sims.forEach((name, sim) -> sim.reset());
        for (String name : List.of("groq", "gemini", "cohere", "ollama")) {
            cortex.bean(name, Provider.class).restore();
        }
        sims.get("groq").fault(Fault.rateLimited(Duration.ofSeconds(40)));
        sims.get("gemini").fault(Fault.rateLimited(Duration.ofSeconds(20)));
        sims.get("cohere").fault(Fault.rateLimited(Duration.ofSeconds(60)));
        sims.get("ollama").fault(Fault.rateLimited(Duration.ofSeconds(30))); // Ollama's "busy" is a 503
        var r = Http.post(cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
        everythingSent.append(r.headers().map()).append(r.body());
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode error = Json.parse(r.body()).get("error");
        assertThat(error.get("message").asText()).contains("groq: 429 (rate_limited)", "gemini: quota (quota_exhausted)",
                "cohere: 429 (rate_limited)", "ollama: 503 (upstream_failed)");
        assertThat(r.headers().firstValue("x-should-retry")).contains("false");

        // now every provider but Ollama is cooling, and Ollama refuses: still 503; once only cooling remains, Retry-After
        sims.get("ollama").clearFaults();
        cortex.bean("ollama", Provider.class).keys().coolDown("", Duration.ofSeconds(25)); // not a key: a local pause
        var cooling = Http.post(cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
        assertThat(cooling.statusCode()).isEqualTo(503);
        assertThat(cooling.headers().firstValue("X-Cortex-Attempts")).contains("groq:cooling,gemini:cooling,cohere:cooling,ollama:cooling");
        long retryAfter = Long.parseLong(cooling.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).as("the earliest moment a provider is usable: Gemini's 20 s").isBetween(19L, 22L);
        assertThat(sims.get("groq").chatCalls()).as("a cooling provider gets no call").isEqualTo(1);
    }
}
