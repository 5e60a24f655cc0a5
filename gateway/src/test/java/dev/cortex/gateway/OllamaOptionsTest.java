package dev.cortex.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.utils.OptionsBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.sim.CohereSimulator;
import dev.cortex.sim.GeminiSimulator;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;
import dev.cortex.sim.ProviderSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Ollama door's {@code options}, as a real Ollama client (ollama4j) sends them, reach every provider in that
 * provider's own field names: each option alone, none, an empty set, and all together, streaming and not.
 */
class OllamaOptionsTest {

    static Map<String, ProviderSimulator> sims;
    static CortexServer cortex;

    /** A model each provider serves, so the request goes to that provider first (the others stay healthy behind it). */
    static final Map<String, String> MODEL = Map.of(
            "groq",
            "groq/llama-3.1-8b-instant",
            "gemini",
            "gemini-2.0-flash",
            "cohere",
            "command-r-08-2024",
            "ollama",
            "llama3.2");

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
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_test_options_key_0001",
                "provider.groq.base-url",
                sims.get("groq").baseUrl(),
                "provider.gemini.api-key",
                "AIza_test_options_key_0001",
                "provider.gemini.base-url",
                sims.get("gemini").baseUrl(),
                "provider.cohere.api-key",
                "cohere_test_options_key_0001",
                "provider.cohere.base-url",
                sims.get("cohere").baseUrl(),
                "provider.ollama.base-url",
                sims.get("ollama").baseUrl()));
        sims.forEach((name, sim) -> sim.reply(name + " answers with options"));
        // a request naming llama3.2 goes to Ollama once Cortex has seen Ollama's model list (its first probe)
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Http.get(cortex.url("/api/health")).body().contains("\"llama3.2:latest\""));
    }

    @AfterAll
    static void stop() {
        cortex.close();
        sims.values().forEach(ProviderSimulator::close);
    }

    /** One option as ollama4j sets it, and what it must become on each provider's wire (null: not sent there). */
    record Option(String name, java.util.function.Consumer<OptionsBuilder> set, Map<String, Object> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Map<String, Object> wire(Object groq, Object gemini, Object cohere, Object ollama) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("groq", groq);
        m.put("gemini", gemini);
        m.put("cohere", cohere);
        m.put("ollama", ollama);
        return m;
    }

    // values chosen to be exact in binary, so the float ollama4j sends reads back as the same double
    static final List<Option> OPTIONS = List.of(
            new Option(
                    "temperature",
                    o -> o.setTemperature(0.5f),
                    wire(
                            "/temperature=0.5",
                            "/generationConfig/temperature=0.5",
                            "/temperature=0.5",
                            "/options/temperature=0.5")),
            new Option(
                    "top_p",
                    o -> o.setTopP(0.75f),
                    wire("/top_p=0.75", "/generationConfig/topP=0.75", "/p=0.75", "/options/top_p=0.75")),
            new Option(
                    "top_k", o -> o.setTopK(40), wire(null, "/generationConfig/topK=40", "/k=40", "/options/top_k=40")),
            new Option(
                    "num_predict",
                    o -> o.setNumPredict(64),
                    wire(
                            "/max_completion_tokens=64",
                            "/generationConfig/maxOutputTokens=64",
                            "/max_tokens=64",
                            "/options/num_predict=64")),
            new Option(
                    "stop",
                    o -> o.setStop("END"),
                    wire(
                            "/stop/0=END",
                            "/generationConfig/stopSequences/0=END",
                            "/stop_sequences/0=END",
                            "/options/stop/0=END")),
            new Option(
                    "seed",
                    o -> o.setSeed(42),
                    wire("/seed=42", "/generationConfig/seed=42", "/seed=42", "/options/seed=42")),
            // Ollama's repeat_penalty 1.5 is OpenAI's frequency_penalty 1.0 (Cohere's 0..1 scale: 0.5)
            new Option(
                    "repeat_penalty",
                    o -> o.setRepeatPenalty(1.5f),
                    wire(
                            "/frequency_penalty=1.0",
                            "/generationConfig/frequencyPenalty=1.0",
                            "/frequency_penalty=0.5",
                            "/options/repeat_penalty=1.5")));

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String provider : List.of("groq", "gemini", "cohere", "ollama")) {
            for (boolean streaming : new boolean[] {false, true}) {
                all.add(Arguments.of(provider, streaming, "no options", null));
                all.add(Arguments.of(provider, streaming, "empty options", List.of()));
                for (Option o : OPTIONS) {
                    all.add(Arguments.of(provider, streaming, o.name(), List.of(o)));
                }
                all.add(Arguments.of(provider, streaming, "all together", OPTIONS));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, streaming={1}: {2}")
    @MethodSource("cases")
    void optionsReachTheProviderInItsOwnTerms(String provider, boolean streaming, String what, List<Option> options)
            throws Exception {
        ProviderSimulator sim = sims.get(provider);
        int callsBefore = sim.chatCalls();
        Ollama client = new Ollama(cortex.url(""));
        client.setRequestTimeoutSeconds(30);
        var builder = OllamaChatRequest.builder()
                .withModel(MODEL.get(provider))
                .withMessage(OllamaChatMessageRole.USER, "Say something");
        if (options != null) {
            OptionsBuilder set = new OptionsBuilder();
            options.forEach(o -> o.set().accept(set));
            builder.withOptions(set.build());
        }
        if (streaming) {
            builder.withStreaming();
        }
        List<String> tokens = new ArrayList<>();
        OllamaChatResult result = client.chat(
                builder.build(),
                streaming ? token -> tokens.add(token.getMessage().getResponse()) : null);

        String answer = provider + " answers with options";
        if (streaming) {
            assertThat(String.join("", tokens)).isEqualTo(answer);
            assertThat(result.getResponseModel().isDone()).isTrue();
        } else {
            assertThat(result.getResponseModel().getMessage().getResponse()).isEqualTo(answer);
        }
        assertThat(sim.chatCalls()).as("%s answered, once", provider).isEqualTo(callsBefore + 1);
        JsonNode sent = sim.lastChatRequest().body();
        for (Option o : OPTIONS) {
            String expected = (String) o.expected().get(provider);
            if (expected == null) {
                continue; // this provider has no such knob (Groq has no top_k): never sent
            }
            String pointer = expected.substring(0, expected.indexOf('='));
            boolean set = options != null && options.contains(o);
            if (set) {
                assertThat(sent.at(pointer).asText())
                        .as("%s on %s's wire", o.name(), provider)
                        .isEqualTo(expected.substring(expected.indexOf('=') + 1));
            } else {
                assertThat(sent.at(pointer).isMissingNode())
                        .as("%s not set, not sent to %s", o.name(), provider)
                        .isTrue();
            }
        }
        if (provider.equals("groq")) {
            assertThat(sent.has("top_k")).as("Groq rejects top_k: never sent").isFalse();
        }
    }
}
