package dev.cortex.gateway;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.CohereSimulator;
import dev.cortex.sim.Fault;
import dev.cortex.sim.GeminiSimulator;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;
import dev.cortex.sim.ProviderSimulator;
import dev.cortex.sim.RecordedRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's full nightmare (Groq 429, Gemini quota, Cohere 503, Ollama answers), each provider serving alone, and
 * each provider receiving the request's settings in its own field names.
 */
class FourProviderChainTest {

    static GroqSimulator groq;
    static GeminiSimulator gemini;
    static CohereSimulator cohere;
    static OllamaSimulator ollama;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        gemini = (GeminiSimulator) new GeminiSimulator().start();
        cohere = (CohereSimulator) new CohereSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_test_four_key_0001",
                "provider.groq.base-url",
                groq.baseUrl(),
                "provider.gemini.api-key",
                "AIza_test_four_key_0001",
                "provider.gemini.base-url",
                gemini.baseUrl(),
                "provider.cohere.api-key",
                "cohere-four-test-key-000001",
                "provider.cohere.base-url",
                cohere.baseUrl(),
                "provider.ollama.base-url",
                ollama.baseUrl()));
    }

    @BeforeEach
    void reset() {
        for (ProviderSimulator s : new ProviderSimulator[] {groq, gemini, cohere, ollama}) {
            s.reset();
        }
        for (String p : new String[] {"groq", "gemini", "cohere", "ollama"}) {
            cortex.bean(p + "Breaker", CircuitBreaker.class).reset();
        }
        groq.reply("answer from groq");
        gemini.reply("answer from gemini");
        cohere.reply("answer from cohere");
        ollama.reply("answer from ollama");
    }

    @AfterAll
    static void stop() {
        cortex.close();
        for (ProviderSimulator s : new ProviderSimulator[] {groq, gemini, cohere, ollama}) {
            s.close();
        }
    }

    /** Zero cool-downs, so every request meets the refusals afresh. */
    private static void nightmare() {
        groq.fault(Fault.rateLimited(Duration.ZERO));
        gemini.fault(Fault.rateLimited(Duration.ZERO));
        cohere.fault(Fault.status(503));
    }

    @Test
    void nightmareOpenAiJson() throws Exception {
        nightmare();
        var r = Http.post(
                cortex.url("/v1/chat/completions"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains("groq:429,gemini:quota,cohere:503,ollama:ok");
        assertThat(Json.parse(r.body()).at("/choices/0/message/content").asText())
                .isEqualTo("answer from ollama");
    }

    @Test
    void nightmareOpenAiStream() throws Exception {
        nightmare();
        Http.Stream s = Http.stream(
                cortex.url("/v1/chat/completions"),
                "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}]}");
        assertThat(s.header("X-Cortex-Attempts")).isEqualTo("groq:429,gemini:quota,cohere:503,ollama:ok");
        assertThat(StreamingBehaviourTest.contentOf(s)).isEqualTo("answer from ollama");
        assertThat(s.lines()).last().isEqualTo("data: [DONE]");
    }

    @Test
    void nightmareOllamaDoorBothWays() throws Exception {
        nightmare();
        Http.Stream s =
                Http.stream(cortex.url("/api/chat"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}]}");
        assertThat(s.header("X-Cortex-Attempts")).isEqualTo("groq:429,gemini:quota,cohere:503,ollama:ok");
        assertThat(Json.parse(s.lines().get(s.lines().size() - 1)).get("done").asBoolean())
                .isTrue();
        var r = Http.post(
                cortex.url("/api/chat"), "{\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hola\"}]}");
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains("groq:429,gemini:quota,cohere:503,ollama:ok");
        assertThat(Json.parse(r.body()).at("/message/content").asText()).isEqualTo("answer from ollama");
    }

    @ParameterizedTest
    @ValueSource(strings = {"groq", "gemini", "cohere", "ollama"})
    void eachProviderServesAloneThroughBothDoorsStreamingAndNot(String provider) throws Exception {
        String pin = "\"provider\":\"" + provider + "\",";
        var json = Http.post(
                cortex.url("/v1/chat/completions"),
                "{" + pin + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("X-Cortex-Provider")).contains(provider);
        assertThat(Json.parse(json.body()).at("/choices/0/message/content").asText())
                .isEqualTo("answer from " + provider);
        assertThat(Json.parse(json.body()).at("/usage/completion_tokens").asInt())
                .isEqualTo(3);

        Http.Stream sse = Http.stream(
                cortex.url("/v1/chat/completions"),
                "{" + pin + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(StreamingBehaviourTest.contentOf(sse)).isEqualTo("answer from " + provider);

        Http.Stream ndjson = Http.stream(
                cortex.url("/api/chat"), "{" + pin + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        StringBuilder text = new StringBuilder();
        for (String line : ndjson.lines()) {
            text.append(Json.parse(line).at("/message/content").asText());
        }
        assertThat(text.toString()).isEqualTo("answer from " + provider);
        JsonNode last = Json.parse(ndjson.lines().get(ndjson.lines().size() - 1));
        assertThat(last.get("eval_count").asInt()).isEqualTo(3);

        var single = Http.post(
                cortex.url("/api/chat"),
                "{" + pin + "\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(Json.parse(single.body()).at("/message/content").asText()).isEqualTo("answer from " + provider);
    }

    private static final String SETTINGS = "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"},"
            + "{\"role\":\"user\",\"content\":\"Again\"}],\"temperature\":0.3,\"max_tokens\":64,\"stop\":[\"END\"],"
            + "\"top_p\":0.9,\"seed\":7,\"frequency_penalty\":1.0";

    private static JsonNode sentTo(String provider, ProviderSimulator sim) {
        var r = Http.post(cortex.url("/v1/chat/completions"), "{\"provider\":\"" + provider + "\"," + SETTINGS + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        RecordedRequest received = sim.lastChatRequest();
        return received.body();
    }

    @Test
    void groqReceivesOpenAiFieldNames() {
        JsonNode b = sentTo("groq", groq);
        assertThat(b.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(b.at("/messages/0/content").asText()).isEqualTo("Be brief.");
        assertThat(b.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(b.get("max_completion_tokens").asInt()).isEqualTo(64);
        assertThat(b.at("/stop/0").asText()).isEqualTo("END");
        assertThat(b.get("seed").asLong()).isEqualTo(7);
        assertThat(b.has("logprobs")).isFalse();
        assertThat(groq.lastChatRequest().apiKey()).isEqualTo("gsk_test_four_key_0001");
    }

    @Test
    void geminiReceivesItsOwnFieldNames() {
        JsonNode b = sentTo("gemini", gemini);
        assertThat(b.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
        assertThat(b.at("/contents/0/role").asText()).isEqualTo("user");
        assertThat(b.at("/contents/1/role").asText()).isEqualTo("model");
        assertThat(b.at("/contents").size()).isEqualTo(3);
        assertThat(b.at("/generationConfig/temperature").asDouble()).isEqualTo(0.3);
        assertThat(b.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(64);
        assertThat(b.at("/generationConfig/stopSequences/0").asText()).isEqualTo("END");
        assertThat(b.at("/generationConfig/topP").asDouble()).isEqualTo(0.9);
        assertThat(b.at("/generationConfig/seed").asLong()).isEqualTo(7);
        assertThat(gemini.lastChatRequest().headers().get("x-goog-api-key")).isEqualTo("AIza_test_four_key_0001");
        assertThat(gemini.lastChatRequest().query()).isEqualTo("alt=sse");
    }

    @Test
    void cohereReceivesItsOwnFieldNames() {
        JsonNode b = sentTo("cohere", cohere);
        assertThat(b.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(b.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(b.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(b.at("/stop_sequences/0").asText()).isEqualTo("END");
        assertThat(b.get("p").asDouble()).isEqualTo(0.9);
        assertThat(b.get("frequency_penalty").asDouble())
                .as("OpenAI's 1.0 on Cohere's 0..1 scale")
                .isEqualTo(0.5);
    }

    @Test
    void ollamaReceivesOptions() {
        JsonNode b = sentTo("ollama", ollama);
        assertThat(b.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(b.at("/options/temperature").asDouble()).isEqualTo(0.3);
        assertThat(b.at("/options/num_predict").asInt()).isEqualTo(64);
        assertThat(b.at("/options/stop/0").asText()).isEqualTo("END");
        assertThat(b.at("/options/repeat_penalty").asDouble())
                .as("frequency_penalty 1.0 as repeat_penalty")
                .isEqualTo(1.5);
        assertThat(b.at("/options/seed").asLong()).isEqualTo(7);
    }

    @Test
    void modelsOfEveryProviderAreListed() throws Exception {
        JsonNode v1 = Json.parse(Http.get(cortex.url("/v1/models")).body());
        assertThat(v1.findValuesAsText("id")).contains("llama-3.1-8b-instant", "gemini-2.0-flash", "command-r-08-2024");
        JsonNode tags = Json.parse(Http.get(cortex.url("/api/tags")).body());
        assertThat(tags.findValuesAsText("name")).contains("gemini-2.0-flash", "command-r-08-2024");
    }

    @Test
    void aGeminiModelNameGoesToGeminiFirst() throws Exception {
        var r = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"model\":\"gemini-2.0-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains("gemini:ok");
        assertThat(gemini.lastChatRequest().path()).isEqualTo("/v1beta/models/gemini-2.0-flash:streamGenerateContent");
    }

    @Test
    void aGeminiAnswerWithoutTextIsReportedNotReturnedEmpty() throws Exception {
        gemini.fault(Fault.emptyAnswer("SAFETY"));
        var r = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"providers\":[\"gemini\",\"ollama\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains("gemini:stream_error,ollama:ok");
    }
}
