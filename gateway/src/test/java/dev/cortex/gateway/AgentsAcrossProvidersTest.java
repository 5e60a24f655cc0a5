package dev.cortex.gateway;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.ollama.OllamaHosts;
import dev.cortex.sim.CohereSimulator;
import dev.cortex.sim.GeminiSimulator;
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;
import dev.cortex.sim.ProviderSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bar for agents, once per provider: through Cortex's OpenAI door, pinned to one provider's simulator, the
 * OpenAI Java SDK completes a tool-call round trip (tools → a call → its result → the final answer), streaming and not;
 * LangChain4j's AiServices runs a {@code @Tool} method and returns a structured-output record, unchanged; and an image
 * reaches only a model that sees; embeddings come back in OpenAI's shape from every provider that serves them.
 * Each simulator speaks its provider's own wire, so every provider's translation is crossed twice: the call coming
 * back, and the conversation with the call and its result going out.
 */
class AgentsAcrossProvidersTest {

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
                "provider.groq.api-key", "gsk_test_agents_key_0001",
                "provider.groq.base-url", groq.baseUrl(),
                "provider.gemini.api-key", "AIza_test_agents_key_0001",
                "provider.gemini.base-url", gemini.baseUrl(),
                "provider.cohere.api-key", "cohere-agents-test-key-0001",
                "provider.cohere.base-url", cohere.baseUrl(),
                "provider.ollama.base-url", ollama.baseUrl()));
        // what the Ollama has installed, read now rather than by the health timer
        ollama.installModel(EMBEDDER, 274L * 1024 * 1024, "nomic-bert", "137M");
        cortex.bean("ollamaHosts", OllamaHosts.class).refresh();
    }

    static final String EMBEDDER = "nomic-embed-text";

    @BeforeEach
    void reset() {
        for (ProviderSimulator s : sims()) {
            s.reset();
        }
        ollama.installModel(EMBEDDER, 274L * 1024 * 1024, "nomic-bert", "137M"); // a reset leaves only chat models
        for (String p : new String[] {"groq", "gemini", "cohere", "ollama"}) {
            cortex.bean(p + "Breaker", CircuitBreaker.class).reset();
        }
    }

    @AfterAll
    static void stop() {
        cortex.close();
        for (ProviderSimulator s : sims()) {
            s.close();
        }
    }

    private static ProviderSimulator[] sims() {
        return new ProviderSimulator[] {groq, gemini, cohere, ollama};
    }

    private static ProviderSimulator sim(String provider) {
        return switch (provider) {
            case "groq" -> groq;
            case "gemini" -> gemini;
            case "cohere" -> cohere;
            default -> ollama;
        };
    }

    private static OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .maxRetries(0)
                .build();
    }

    private static final ChatCompletionFunctionTool WEATHER = ChatCompletionFunctionTool.builder()
            .function(FunctionDefinition.builder()
                    .name("get_weather")
                    .description("The weather in a city now")
                    .parameters(FunctionParameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty(
                                    "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                            .build())
                    .build())
            .build();

    private static ChatCompletionCreateParams.Builder ask(String provider) {
        return ChatCompletionCreateParams.builder()
                .model("default")
                .putAdditionalBodyProperty("provider", JsonValue.from(provider))
                .addTool(WEATHER)
                .addUserMessage("What is the weather in Paris");
    }

    @ParameterizedTest
    @ValueSource(strings = {"groq", "gemini", "cohere", "ollama"})
    void toolRoundTrip(String provider) throws Exception {
        ChatCompletion first =
                openAi().chat().completions().create(ask(provider).build());
        assertThat(first.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessage called = first.choices().get(0).message();
        ChatCompletionMessageFunctionToolCall call =
                called.toolCalls().orElseThrow().get(0).asFunction();
        assertCall(call);

        ChatCompletion answer = openAi().chat()
                .completions()
                .create(ask(provider)
                        .addMessage(called)
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("{\"temperature_c\":21}")
                                .build())
                        .build());
        assertThat(answer.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(answer.choices().get(0).message().content())
                .hasValueSatisfying(
                        text -> assertThat(text).contains("The tool answered").contains("21"));
        assertOnlyAsked(provider, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"groq", "gemini", "cohere", "ollama"})
    void toolRoundTripStreaming(String provider) throws Exception {
        ChatCompletionAccumulator accumulated = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream =
                openAi().chat().completions().createStreaming(ask(provider).build())) {
            stream.stream().forEach(accumulated::accumulate);
        }
        ChatCompletion first = accumulated.chatCompletion();
        assertThat(first.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessage called = first.choices().get(0).message();
        ChatCompletionMessageFunctionToolCall call =
                called.toolCalls().orElseThrow().get(0).asFunction();
        assertCall(call);

        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = openAi().chat()
                .completions()
                .createStreaming(ask(provider)
                        .addMessage(called)
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("{\"temperature_c\":21}")
                                .build())
                        .build())) {
            stream.stream().forEach(chunk -> chunk.choices()
                    .forEach(c -> c.delta().content().ifPresent(text::append)));
        }
        assertThat(text.toString()).contains("The tool answered").contains("21");
        assertOnlyAsked(provider, 2);
    }

    private static void assertCall(ChatCompletionMessageFunctionToolCall call) throws Exception {
        assertThat(call.id()).isNotBlank();
        assertThat(call.function().name()).isEqualTo("get_weather");
        JsonNode arguments = Json.parse(call.function().arguments());
        assertThat(arguments.path("city").asText()).isEqualTo("Paris");
    }

    /** The pinned provider answered both turns; no other was asked. */
    private static void assertOnlyAsked(String provider, int calls) {
        for (String p : new String[] {"groq", "gemini", "cohere", "ollama"}) {
            assertThat(sim(p).chatCalls()).as(p).isEqualTo(p.equals(provider) ? calls : 0);
        }
    }

    /** A tool LangChain4j calls when the model asks; counts its calls. */
    static final class WeatherTools {
        final AtomicInteger calls = new AtomicInteger();

        @Tool("The weather in a city")
        String weather(String city) {
            calls.incrementAndGet();
            return "foggy in " + city;
        }
    }

    interface Assistant {
        String chat(String message);
    }

    record Person(String name, int age) {}

    interface Extractor {
        Person extract(String text);
    }

    private static OpenAiChatModel.OpenAiChatModelBuilder langChain4j(String provider) {
        return OpenAiChatModel.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .modelName("default")
                .customHeaders(Map.of("X-Cortex-Provider", provider))
                .maxRetries(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"groq", "gemini", "cohere", "ollama"})
    void langChain4jAiServicesCallsTheTool(String provider) {
        WeatherTools tools = new WeatherTools();
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(langChain4j(provider).build())
                .tools(tools)
                .build();
        String answer = assistant.chat("What is the weather in Oslo");
        assertThat(tools.calls).hasValue(1);
        assertThat(answer).contains("The tool answered").contains("foggy in Oslo");
        assertOnlyAsked(provider, 2);
    }

    /** LangChain4j sends the record's schema only to a model said to take one: its own switch, not Cortex's. */
    @ParameterizedTest
    @ValueSource(strings = {"groq", "gemini", "cohere", "ollama"})
    void langChain4jAiServicesReturnsARecord(String provider) {
        Extractor extractor = AiServices.builder(Extractor.class)
                .chatModel(langChain4j(provider)
                        .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA)
                        .strictJsonSchema(true)
                        .build())
                .build();
        Person person = extractor.extract("Grace Hopper was born in 1906");
        assertThat(person.name()).isNotBlank();
        assertThat(person.age()).isEqualTo(42); // the simulator's sample integer: the answer followed the schema
        assertOnlyAsked(provider, 1);
    }

    /**
     * An image in the caller's words reaches only a model that sees: Cohere's configured chat models do not (skipped,
     * uncalled), Groq's default does not either, so Groq's Llama 4 Scout answers; the image travels as Groq's
     * {@code image_url} part.
     */
    @Test
    void anImageGoesOnlyToAModelThatSees() throws Exception {
        groq.reply("a small square");
        String png = Base64.getEncoder().encodeToString(PNG_1X1);
        var r = Http.post(
                cortex.url("/v1/chat/completions"),
                "{\"providers\":[\"cohere\",\"groq\"],\"messages\":[{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"text\",\"text\":\"What is this?\"},"
                        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + png + "\"}}]}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cortex-Attempts")).contains("cohere:no vision,groq:ok");
        assertThat(r.headers().firstValue("X-Cortex-Model")).contains("meta-llama/llama-4-scout-17b-16e-instruct");
        assertThat(cohere.chatCalls()).isZero();
        JsonNode parts = groq.lastChatRequest().body().at("/messages/0/content");
        assertThat(parts.get(1).at("/image_url/url").asText()).isEqualTo("data:image/png;base64," + png);
    }

    /** A 1×1 PNG. */
    private static final byte[] PNG_1X1 = Base64.getDecoder()
            .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    /**
     * Embeddings in OpenAI's shape from each provider that serves vectors, through each one's own wire; the model
     * names the provider (an embedding request goes only where its model is), so the others are passed over uncalled.
     */
    @ParameterizedTest
    @CsvSource({"gemini, gemini-embedding-001, 3072", "cohere, embed-v4.0, 768", "ollama, nomic-embed-text, 768"})
    void embeddingsInOpenAisShape(String provider, String model, int length) {
        CreateEmbeddingResponse r = openAi().embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model(model)
                        .inputOfArrayOfStrings(List.of("first text", "second text"))
                        .build());
        assertThat(r.data()).hasSize(2);
        assertThat(r.data().get(1).index()).isEqualTo(1);
        assertThat(r.data().get(0).embedding()).hasSize(length);
        assertThat(r.data().get(0).embedding()).isNotEqualTo(r.data().get(1).embedding());
        for (String p : new String[] {"groq", "gemini", "cohere", "ollama"}) {
            if (!p.equals(provider)) {
                assertThat(sim(p).chatCalls()).as(p).isZero();
            }
        }
        // at least one: Ollama's count also holds the one-word embedding that loads the model first
        assertThat(sim(provider).chatCalls()).isPositive();
    }
}
