package dev.cortex.sim;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.cohere.api.Cohere;
import com.cohere.api.core.CohereApiException;
import com.cohere.api.core.Environment;
import com.cohere.api.resources.v2.requests.V2ChatRequest;
import com.cohere.api.resources.v2.requests.V2ChatStreamRequest;
import com.cohere.api.resources.v2.requests.V2EmbedRequest;
import com.cohere.api.resources.v2.types.V2ChatRequestToolChoice;
import com.cohere.api.resources.v2.types.V2ChatResponse;
import com.cohere.api.resources.v2.types.V2ChatStreamResponse;
import com.cohere.api.types.AssistantMessage;
import com.cohere.api.types.AssistantMessageV2Content;
import com.cohere.api.types.ChatFinishReason;
import com.cohere.api.types.ChatMessageV2;
import com.cohere.api.types.EmbedByTypeResponse;
import com.cohere.api.types.EmbedInputType;
import com.cohere.api.types.EmbeddingType;
import com.cohere.api.types.JsonResponseFormatV2;
import com.cohere.api.types.ResponseFormatV2;
import com.cohere.api.types.ToolCallV2;
import com.cohere.api.types.ToolCallV2Function;
import com.cohere.api.types.ToolMessageV2;
import com.cohere.api.types.ToolMessageV2Content;
import com.cohere.api.types.ToolV2;
import com.cohere.api.types.ToolV2Function;
import com.cohere.api.types.UserMessageV2;
import com.cohere.api.types.UserMessageV2Content;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.types.Content;
import com.google.genai.types.ContentEmbedding;
import com.google.genai.types.EmbedContentConfig;
import com.google.genai.types.EmbedContentResponse;
import com.google.genai.types.FinishReason;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionCallingConfig;
import com.google.genai.types.FunctionCallingConfigMode;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.Tool;
import com.google.genai.types.ToolConfig;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessage;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.models.chat.OllamaChatToolCalls;
import io.github.ollama4j.tools.Tools;
import io.github.ollama4j.utils.OptionsBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulators are only as good as their fidelity: each provider's official Java client, pointed at its simulator,
 * must read answers, streams, usage and errors as it reads the real provider's.
 */
class SimulatorFidelityTest {

    static GroqSimulator groq;
    static OllamaSimulator ollama;
    static GeminiSimulator gemini;
    static CohereSimulator cohere;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        gemini = (GeminiSimulator) new GeminiSimulator().start();
        cohere = (CohereSimulator) new CohereSimulator().start();
    }

    @BeforeEach
    void reset() {
        for (ProviderSimulator s : new ProviderSimulator[] {groq, ollama, gemini, cohere}) {
            s.reset();
            s.reply("one two three four");
        }
        ollama.resetModels();
    }

    @AfterAll
    static void stop() {
        for (ProviderSimulator s : new ProviderSimulator[] {groq, ollama, gemini, cohere}) {
            s.close();
        }
    }

    // ---- Groq, with openai-java ----

    private static OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(groq.baseUrl())
                .apiKey("gsk_test_fidelity_key_0001")
                .maxRetries(0)
                .build();
    }

    private static ChatCompletionCreateParams.Builder groqParams() {
        return ChatCompletionCreateParams.builder()
                .model("llama-3.1-8b-instant")
                .addSystemMessage("Be brief.")
                .addUserMessage("Say four words")
                .temperature(0.2)
                .maxCompletionTokens(16);
    }

    @Test
    void groqThroughOpenAiJava() {
        ChatCompletion c = openAi().chat().completions().create(groqParams().build());
        assertThat(c.choices().get(0).message().content()).contains("one two three four");
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(4);
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(5); // "Be brief." + "Say four words"
        JsonAssert.field(groq.lastChatRequest().body(), "max_completion_tokens", "16");

        List<String> pieces = new ArrayList<>();
        long[] usage = {-1};
        try (StreamResponse<ChatCompletionChunk> s = openAi().chat()
                .completions()
                .createStreaming(groqParams()
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            s.stream().forEach(chunk -> {
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(pieces::add));
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertThat(String.join("", pieces)).isEqualTo("one two three four");
        assertThat(usage[0]).isEqualTo(4);
    }

    @Test
    void groqErrorsAsOpenAiJavaSeesThem() {
        groq.faultOnce(Fault.rateLimited(Duration.ofSeconds(7)));
        assertThatThrownBy(
                        () -> openAi().chat().completions().create(groqParams().build()))
                .isInstanceOfSatisfying(
                        RateLimitException.class,
                        e -> assertThat(e.headers().values("retry-after")).containsExactly("7"));
        groq.acceptKeys("gsk_other");
        assertThatThrownBy(
                        () -> openAi().chat().completions().create(groqParams().build()))
                .isInstanceOf(UnauthorizedException.class);
        groq.reset().fault(Fault.errorEventAfter(2));
        assertThatThrownBy(() -> {
                    try (StreamResponse<ChatCompletionChunk> s = openAi().chat()
                            .completions()
                            .createStreaming(groqParams().build())) {
                        s.stream().forEach(chunk -> {});
                    }
                })
                .hasMessageContaining("failed mid-stream");
        assertThat(groq.chatCalls()).as("the stream after the reset").isEqualTo(1);
    }

    @Test
    void groqIsStrictAsOpenAiJavaSeesIt() {
        ChatCompletion cut = openAi().chat()
                .completions()
                .create(groqParams().maxCompletionTokens(2).build());
        assertThat(cut.choices().get(0).message().content()).contains("one two");
        assertThat(cut.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(cut.usage().orElseThrow().completionTokens()).isEqualTo(2);

        ChatCompletion stopped =
                openAi().chat().completions().create(groqParams().stop("three").build());
        assertThat(stopped.choices().get(0).message().content()).contains("one two ");
        assertThat(stopped.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

        List<String> pieces = new ArrayList<>();
        List<ChatCompletionChunk.Choice.FinishReason> finishes = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = openAi().chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("llama-3.1-8b-instant")
                        .addUserMessage("Say four words")
                        .maxTokens(3)
                        .build())) { // the older field, still accepted
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
                ch.delta().content().ifPresent(pieces::add);
                ch.finishReason().ifPresent(finishes::add);
            }));
        }
        assertThat(String.join("", pieces)).isEqualTo("one two three");
        assertThat(finishes).containsExactly(ChatCompletionChunk.Choice.FinishReason.LENGTH);

        assertThatThrownBy(() -> openAi().chat()
                        .completions()
                        .create(groqParams().model("no-such-model").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.body().toString()).contains("model_not_found").contains("no-such-model");
                });
        assertThatThrownBy(() ->
                        openAi().chat().completions().create(groqParams().n(2).build()))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.body().toString()).contains("'n'"));
        assertThat(groq.chatCalls()).as("a refused request is no chat call").isEqualTo(3);
    }

    /** A weather tool, as an agent declares it. */
    private static FunctionDefinition openAiWeatherTool() {
        return FunctionDefinition.builder()
                .name("get_weather")
                .description("The weather in a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build();
    }

    @Test
    void groqToolCallsAsOpenAiJavaSeesThem() throws Exception {
        ChatCompletionCreateParams asked = ChatCompletionCreateParams.builder()
                .model("llama-3.1-8b-instant")
                .addUserMessage("What is the weather in Paris")
                .addFunctionTool(openAiWeatherTool())
                .build();
        ChatCompletion c = openAi().chat().completions().create(asked);
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c.choices().get(0).message().content()).isEmpty();
        ChatCompletionMessageFunctionToolCall call =
                c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).startsWith("call_");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Json.MAPPER
                        .readTree(call.function().arguments())
                        .path("city")
                        .asText())
                .isEqualTo("Paris");

        ChatCompletionAccumulator accumulated = ChatCompletionAccumulator.create();
        int[] toolDeltas = {0};
        try (StreamResponse<ChatCompletionChunk> s =
                openAi().chat().completions().createStreaming(asked)) {
            s.stream().forEach(chunk -> {
                accumulated.accumulate(chunk);
                chunk.choices()
                        .forEach(ch -> toolDeltas[0] +=
                                ch.delta().toolCalls().map(List::size).orElse(0));
            });
        }
        ChatCompletion streamed = accumulated.chatCompletion();
        assertThat(toolDeltas[0]).as("a first delta and two argument fragments").isEqualTo(3);
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall whole = streamed.choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction();
        assertThat(whole.function().name()).isEqualTo("get_weather");
        assertThat(Json.MAPPER
                        .readTree(whole.function().arguments())
                        .path("city")
                        .asText())
                .isEqualTo("Paris");

        ChatCompletion answered = openAi().chat()
                .completions()
                .create(asked.toBuilder()
                        .addMessage(c.choices().get(0).message())
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("sunny, 21 C")
                                .build())
                        .build());
        assertThat(answered.choices().get(0).message().content()).contains("The tool answered: sunny, 21 C");
        assertThat(answered.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        JsonAssert.field(groq.lastChatRequest().body().path("messages").path(2), "tool_call_id", call.id());
    }

    @Test
    void groqStructuredOutputAsOpenAiJavaSeesIt() throws Exception {
        ChatCompletion c = openAi().chat()
                .completions()
                .create(groqParams()
                        .responseFormat(ResponseFormatJsonSchema.builder()
                                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                                        .name("person")
                                        .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                                .putAdditionalProperty("type", JsonValue.from("object"))
                                                .putAdditionalProperty(
                                                        "properties",
                                                        JsonValue.from(Map.of(
                                                                "name", Map.of("type", "string"),
                                                                "age", Map.of("type", "integer"))))
                                                .build())
                                        .build())
                                .build())
                        .maxCompletionTokens(64)
                        .build());
        com.fasterxml.jackson.databind.JsonNode person =
                Json.MAPPER.readTree(c.choices().get(0).message().content().orElseThrow());
        assertThat(person.path("name").isTextual()).isTrue();
        assertThat(person.path("age").isInt()).isTrue();
    }

    @Test
    void groqRefusesImagesForATextModel() {
        ChatCompletionContentPart image = ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                        .url("data:image/png;base64,iVBORw0KGgo=")
                        .build())
                .build());
        ChatCompletionContentPart text = ChatCompletionContentPart.ofText(
                ChatCompletionContentPartText.builder().text("What is this").build());
        ChatCompletionCreateParams.Builder params =
                ChatCompletionCreateParams.builder().addUserMessageOfArrayOfContentParts(List.of(text, image));
        assertThatThrownBy(() -> openAi().chat()
                        .completions()
                        .create(params.model("llama-3.1-8b-instant").build()))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.body().toString()).contains("messages.0.content"));
        groq.models("meta-llama/llama-4-scout-17b-16e-instruct");
        ChatCompletion seen = openAi().chat()
                .completions()
                .create(params.model("meta-llama/llama-4-scout-17b-16e-instruct")
                        .build());
        assertThat(seen.choices().get(0).message().content()).contains("one two three four");
    }

    // ---- Ollama, with ollama4j ----

    /** Ollama's own Java client, pointed at the simulator. */
    private static Ollama ollama4j() {
        Ollama client = new Ollama(ollama.baseUrl());
        client.setRequestTimeoutSeconds(10);
        return client;
    }

    @Test
    void ollamaThroughOllama4j() throws Exception {
        Ollama client = ollama4j();
        OllamaChatResult result = client.chat(
                OllamaChatRequest.builder()
                        .withModel("llama3.2")
                        .withMessage(OllamaChatMessageRole.USER, "Say four words")
                        .build(),
                null);
        assertThat(result.getResponseModel().getMessage().getResponse()).isEqualTo("one two three four");
        List<String> tokens = new ArrayList<>();
        client.chat(
                OllamaChatRequest.builder()
                        .withModel("llama3.2")
                        .withStreaming()
                        .withMessage(OllamaChatMessageRole.USER, "Say four words")
                        .build(),
                t -> tokens.add(t.getMessage().getResponse()));
        assertThat(String.join("", tokens)).isEqualTo("one two three four");
        assertThat(client.listModels()).extracting(m -> m.getName()).contains("llama3.2:latest", "qwen2.5:0.5b");
        assertThat(client.ps().getModels()).extracting(m -> m.getName()).containsExactly("llama3.2:latest");
        assertThatThrownBy(() -> client.chat(
                        OllamaChatRequest.builder()
                                .withModel("mistral")
                                .withMessage(OllamaChatMessageRole.USER, "hi")
                                .build(),
                        null))
                .hasMessageContaining("not found");
    }

    @Test
    void ollamaIsStrictAsOllama4jSeesIt() throws Exception {
        Ollama client = ollama4j();
        OllamaChatResult cut = client.chat(
                OllamaChatRequest.builder()
                        .withModel("llama3.2")
                        .withMessage(OllamaChatMessageRole.USER, "Say four words")
                        .withOptions(new OptionsBuilder().setNumPredict(2).build())
                        .build(),
                null);
        assertThat(cut.getResponseModel().getMessage().getResponse()).isEqualTo("one two");
        assertThat(cut.getResponseModel().getDoneReason()).isEqualTo("length");
        assertThat(cut.getResponseModel().getEvalCount()).isEqualTo(2);

        List<String> tokens = new ArrayList<>();
        OllamaChatResult stopped = client.chat(
                OllamaChatRequest.builder()
                        .withModel("llama3.2")
                        .withStreaming()
                        .withMessage(OllamaChatMessageRole.USER, "Say four words")
                        .withOptions(new OptionsBuilder().setStop("three").build())
                        .build(),
                t -> tokens.add(t.getMessage().getResponse()));
        assertThat(String.join("", tokens)).isEqualTo("one two ");
        assertThat(stopped.getResponseModel().getDoneReason()).isEqualTo("stop");

        assertThatThrownBy(() -> client.chat(
                        OllamaChatRequest.builder()
                                .withModel("no-such-model")
                                .withMessage(OllamaChatMessageRole.USER, "hi")
                                .build(),
                        null))
                .hasMessageContaining("model \"no-such-model\" not found, try pulling it first");
    }

    private static final Tools.Tool WEATHER = Tools.Tool.builder()
            .toolSpec(Tools.ToolSpec.builder()
                    .name("get_weather")
                    .description("The weather in a city now")
                    .parameters(Tools.Parameters.of(Map.of(
                            "city",
                            Tools.Property.builder()
                                    .type("string")
                                    .description("The city")
                                    .required(true)
                                    .build())))
                    .build())
            .toolFunction(arguments -> "21 degrees in " + arguments.get("city"))
            .build();

    private static OllamaChatRequest weatherQuestion() {
        return OllamaChatRequest.builder()
                .withModel("llama3.2")
                .withMessage(OllamaChatMessageRole.USER, "What is the weather in Paris")
                .withTools(new ArrayList<>(List.of(WEATHER)));
    }

    @Test
    void ollamaToolCallsAsOllama4jReadsThem() throws Exception {
        Ollama client = ollama4j();
        client.setMaxChatToolCallRetries(0); // hand the call back instead of running the tool
        for (boolean streaming : new boolean[] {false, true}) {
            OllamaChatRequest question = weatherQuestion();
            OllamaChatResult called =
                    streaming ? client.chat(question.withStreaming(), t -> {}) : client.chat(question, null);
            List<OllamaChatToolCalls> calls =
                    called.getResponseModel().getMessage().getToolCalls();
            assertThat(calls).as("streaming: %s", streaming).hasSize(1);
            assertThat(calls.get(0).getFunction().getName()).isEqualTo("get_weather");
            assertThat(calls.get(0).getFunction().getArguments()).containsEntry("city", "Paris");
            assertThat(called.getResponseModel().getDoneReason()).isEqualTo("stop");
            JsonAssert.field(
                    ollama.lastChatRequest().body().path("tools").get(0).path("function"), "name", "get_weather");
        }
    }

    @Test
    void ollamaToolResultRoundTripThroughOllama4j() throws Exception {
        Ollama client = ollama4j();
        for (boolean streaming : new boolean[] {false, true}) {
            OllamaChatRequest question = weatherQuestion();
            // ollama4j runs the tool the model called, adds its result as a tool turn, and asks again
            OllamaChatResult answered =
                    streaming ? client.chat(question.withStreaming(), t -> {}) : client.chat(question, null);
            assertThat(answered.getResponseModel().getMessage().getResponse())
                    .as("streaming: %s", streaming)
                    .startsWith("The tool answered: ")
                    .contains("21 degrees in Paris");
            JsonNode sent = ollama.lastChatRequest().body().path("messages");
            assertThat(sent.get(1)
                            .path("tool_calls")
                            .get(0)
                            .path("function")
                            .path("arguments")
                            .isObject())
                    .as("the call went back with its arguments as an object")
                    .isTrue();
            assertThat(sent.get(2).path("role").asText()).isEqualTo("tool");
        }
        assertThat(ollama.chatCalls()).isEqualTo(4);
    }

    @Test
    void ollamaFormatAsOllama4jSendsIt() throws Exception {
        Ollama client = ollama4j();
        OllamaChatResult json = client.chat(
                OllamaChatRequest.builder()
                        .withModel("llama3.2")
                        .withMessage(OllamaChatMessageRole.USER, "Say four words")
                        .withGetJsonResponse()
                        .build(),
                null);
        assertThat(Json.MAPPER
                        .readTree(json.getResponseModel().getMessage().getResponse())
                        .path("answer")
                        .asText())
                .isEqualTo("one two three four");

        OllamaChatRequest schemaRequest = OllamaChatRequest.builder()
                .withModel("llama3.2")
                .withMessage(OllamaChatMessageRole.USER, "Describe Paris")
                .build();
        schemaRequest.setFormat(Map.of(
                "type",
                "object",
                "properties",
                Map.of("city", Map.of("type", "string"), "population", Map.of("type", "integer")),
                "required",
                List.of("city", "population")));
        OllamaChatResult schema = client.chat(schemaRequest, null);
        JsonNode answer =
                Json.MAPPER.readTree(schema.getResponseModel().getMessage().getResponse());
        assertThat(answer.path("city").asText()).isEqualTo("Paris");
        assertThat(answer.path("population").isIntegralNumber()).isTrue();
    }

    @Test
    void ollamaImagesAndCapabilitiesAsOllama4jSeesThem() throws Exception {
        ollama.installModel("llava:7b", 4700L * 1024 * 1024, "llama", "7B")
                .capabilities("llava:7b", 4096, "completion", "vision");
        ollama.installModel("nomic-embed-text", 274L * 1024 * 1024, "nomic-bert", "137M")
                .capabilities("nomic-embed-text", 2048, "embedding");
        Ollama client = ollama4j();
        assertThat(client.getModelDetails("llama3.2").getCapabilities()).containsExactly("completion", "tools");
        assertThat(client.getModelDetails("llava:7b").getCapabilities()).containsExactly("completion", "vision");
        assertThat(client.getModelDetails("nomic-embed-text").getCapabilities()).containsExactly("embedding");

        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        client.chat(
                OllamaChatRequest.builder()
                        .withModel("llava:7b")
                        .withMessages(new ArrayList<>(List.of(new OllamaChatMessage(
                                OllamaChatMessageRole.USER, "What is in this picture", null, null, List.of(png)))))
                        .build(),
                null);
        JsonNode sent = ollama.lastChatRequest().body().path("messages").get(0);
        assertThat(sent.path("images").get(0).asText())
                .isEqualTo(Base64.getEncoder().encodeToString(png));

        client.setMaxChatToolCallRetries(0);
        assertThatThrownBy(() -> client.chat(weatherQuestion().withModel("llava:7b"), null))
                .hasMessageContaining("llava:7b does not support tools");
        assertThatThrownBy(() -> client.chat(
                        OllamaChatRequest.builder()
                                .withModel("nomic-embed-text")
                                .withMessage(OllamaChatMessageRole.USER, "hi")
                                .build(),
                        null))
                .hasMessageContaining("does not support chat");
    }

    @Test
    void ollamaShowsContextLength() throws Exception {
        ollama.installModel("llava:7b", 4700L * 1024 * 1024, "llama", "7B")
                .capabilities("llava:7b", 4096, "completion", "vision");
        HttpResponse<String> show = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(ollama.baseUrl() + "/api/show"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llava:7b\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(show.body());
        assertThat(body.at("/model_info/general.architecture").asText()).isEqualTo("llama");
        assertThat(body.path("model_info").path("llama.context_length").asInt()).isEqualTo(4096);
    }

    // ---- Gemini, with google-genai ----

    private static Client genai(String key) {
        return Client.builder()
                .apiKey(key)
                .httpOptions(HttpOptions.builder()
                        .baseUrl(gemini.origin())
                        .apiVersion("v1beta")
                        .retryOptions(HttpRetryOptions.builder().attempts(1).build())
                        .build())
                .build();
    }

    @Test
    void geminiThroughGoogleGenai() {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            GenerateContentConfig config = GenerateContentConfig.builder()
                    .temperature(0.2f)
                    .maxOutputTokens(16)
                    .stopSequences(List.of("END"))
                    .build();
            GenerateContentResponse r = client.models.generateContent("gemini-2.0-flash", "Say four words", config);
            assertThat(r.text()).isEqualTo("one two three four");
            assertThat(r.usageMetadata().orElseThrow().candidatesTokenCount()).contains(4);
            JsonAssert.field(gemini.lastChatRequest().body().path("generationConfig"), "maxOutputTokens", "16");
            StringBuilder streamed = new StringBuilder();
            try (ResponseStream<GenerateContentResponse> s =
                    client.models.generateContentStream("gemini-2.0-flash", "Say four words", null)) {
                for (GenerateContentResponse chunk : s) {
                    if (chunk.text() != null) {
                        streamed.append(chunk.text());
                    }
                }
            }
            assertThat(streamed.toString()).isEqualTo("one two three four");
            assertThat(gemini.lastChatRequest().query()).isEqualTo("alt=sse");
        }
    }

    @Test
    void geminiErrorsAsGoogleGenaiSeesThem() {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            gemini.faultOnce(Fault.rateLimited(Duration.ofSeconds(36)));
            assertThatThrownBy(() -> client.models.generateContent("gemini-2.0-flash", "hi", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(429);
                        assertThat(e.status()).isEqualTo("RESOURCE_EXHAUSTED");
                    });
            gemini.acceptKeys("AIzaOther");
            assertThatThrownBy(() -> client.models.generateContent("gemini-2.0-flash", "hi", null))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        }
    }

    @Test
    void geminiIsStrictAsGoogleGenaiSeesIt() {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            GenerateContentResponse cut = client.models.generateContent(
                    "gemini-2.0-flash",
                    "Say four words",
                    GenerateContentConfig.builder().maxOutputTokens(2).build());
            assertThat(cut.text()).isEqualTo("one two");
            assertThat(cut.finishReason().knownEnum()).isEqualTo(FinishReason.Known.MAX_TOKENS);
            assertThat(cut.usageMetadata().orElseThrow().candidatesTokenCount()).contains(2);

            StringBuilder streamed = new StringBuilder();
            FinishReason[] last = {null};
            try (ResponseStream<GenerateContentResponse> s = client.models.generateContentStream(
                    "gemini-2.0-flash",
                    "Say four words",
                    GenerateContentConfig.builder()
                            .stopSequences(List.of("three"))
                            .build())) {
                for (GenerateContentResponse chunk : s) {
                    if (chunk.text() != null) {
                        streamed.append(chunk.text());
                    }
                    chunk.candidates().flatMap(c -> c.get(0).finishReason()).ifPresent(f -> last[0] = f);
                }
            }
            assertThat(streamed.toString()).isEqualTo("one two ");
            assertThat(last[0].knownEnum()).isEqualTo(FinishReason.Known.STOP);

            assertThatThrownBy(() -> client.models.generateContent("no-such-model", "hi", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(404);
                        assertThat(e.status()).isEqualTo("NOT_FOUND");
                        assertThat(e.message()).contains("models/no-such-model is not found");
                    });
        }
    }

    private static final Map<String, Object> WEATHER_PARAMETERS = Map.of(
            "type",
            "object",
            "properties",
            Map.of("city", Map.of("type", "string"), "unit", Map.of("type", List.of("string", "null"))),
            "required",
            List.of("city"),
            "additionalProperties",
            false);

    private static GenerateContentConfig.Builder withTools() {
        return GenerateContentConfig.builder()
                .tools(Tool.builder()
                        .functionDeclarations(
                                FunctionDeclaration.builder()
                                        .name("get_weather")
                                        .description("Weather in a city")
                                        .parametersJsonSchema(WEATHER_PARAMETERS)
                                        .build(),
                                FunctionDeclaration.builder()
                                        .name("get_time")
                                        .parameters(Schema.builder()
                                                .type("OBJECT")
                                                .properties(Map.of(
                                                        "zone",
                                                        Schema.builder()
                                                                .type("STRING")
                                                                .build()))
                                                .build())
                                        .build())
                        .build());
    }

    @Test
    void geminiFunctionCallsAsGoogleGenaiSeesThem() {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            GenerateContentResponse r = client.models.generateContent(
                    "gemini-2.5-flash", "Weather in Florence", withTools().build());
            assertThat(r.functionCalls()).hasSize(1);
            FunctionCall call = r.functionCalls().get(0);
            assertThat(call.name()).contains("get_weather");
            assertThat(call.args().orElseThrow()).containsEntry("city", "Florence");
            assertThat(r.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
            JsonAssert.field(
                    gemini.lastChatRequest().body().at("/tools/0/functionDeclarations/0"), "name", "get_weather");

            List<FunctionCall> streamed = new ArrayList<>();
            GenerateContentConfig forced = withTools()
                    .toolConfig(ToolConfig.builder()
                            .functionCallingConfig(FunctionCallingConfig.builder()
                                    .mode(FunctionCallingConfigMode.Known.ANY)
                                    .allowedFunctionNames("get_time")))
                    .build();
            try (ResponseStream<GenerateContentResponse> s =
                    client.models.generateContentStream("gemini-2.5-flash", "Time in Rome", forced)) {
                for (GenerateContentResponse chunk : s) {
                    if (chunk.functionCalls() != null) {
                        streamed.addAll(chunk.functionCalls());
                    }
                }
            }
            assertThat(streamed).hasSize(1);
            assertThat(streamed.get(0).name()).contains("get_time");
            assertThat(streamed.get(0).args().orElseThrow()).containsEntry("zone", "Rome");

            GenerateContentResponse none = client.models.generateContent(
                    "gemini-2.5-flash",
                    "Say four words",
                    withTools()
                            .toolConfig(ToolConfig.builder()
                                    .functionCallingConfig(
                                            FunctionCallingConfig.builder().mode(FunctionCallingConfigMode.Known.NONE)))
                            .build());
            assertThat(none.functionCalls()).isNullOrEmpty();
            assertThat(none.text()).isEqualTo("one two three four");
        }
    }

    @Test
    void geminiFunctionResponseRoundTripAsGoogleGenaiSeesIt() {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            List<Content> conversation = List.of(
                    Content.builder()
                            .role("user")
                            .parts(Part.fromText("Weather in Florence"))
                            .build(),
                    Content.builder()
                            .role("model")
                            .parts(Part.fromFunctionCall("get_weather", Map.of("city", "Florence")))
                            .build(),
                    Content.builder()
                            .role("user")
                            .parts(Part.fromFunctionResponse("get_weather", Map.of("temp", 40)))
                            .build());
            GenerateContentResponse r = client.models.generateContent(
                    "gemini-2.5-flash", conversation, withTools().build());
            assertThat(r.functionCalls()).isNullOrEmpty();
            assertThat(r.text()).isEqualTo("The tool answered: {\"temp\":40}");
        }
    }

    @Test
    void geminiStructuredOutputAsGoogleGenaiSeesIt() throws Exception {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            GenerateContentResponse r = client.models.generateContent(
                    "gemini-2.5-flash",
                    "Describe Florence",
                    GenerateContentConfig.builder()
                            .responseMimeType("application/json")
                            .responseSchema(Schema.builder()
                                    .type("OBJECT")
                                    .properties(Map.of(
                                            "city",
                                                    Schema.builder()
                                                            .type("STRING")
                                                            .build(),
                                            "population",
                                                    Schema.builder()
                                                            .type("INTEGER")
                                                            .build()))
                                    .required(List.of("city", "population")))
                            .build());
            com.fasterxml.jackson.databind.JsonNode answer = Json.MAPPER.readTree(r.text());
            assertThat(answer.path("city").asText()).isEqualTo("Florence");
            assertThat(answer.path("population").isInt()).isTrue();

            GenerateContentResponse json = client.models.generateContent(
                    "gemini-2.5-flash",
                    "Describe Florence",
                    GenerateContentConfig.builder()
                            .responseMimeType("application/json")
                            .responseJsonSchema(WEATHER_PARAMETERS)
                            .build());
            assertThat(Json.MAPPER.readTree(json.text()).path("city").asText()).isEqualTo("Florence");
        }
    }

    @Test
    void geminiRefusesSchemasItCannotReadAsGoogleGenaiSeesIt() {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            Map<String, Object> withDialect = new HashMap<>(WEATHER_PARAMETERS);
            withDialect.put("$schema", "http://json-schema.org/draft-07/schema#");
            GenerateContentConfig config = GenerateContentConfig.builder()
                    .tools(Tool.builder()
                            .functionDeclarations(FunctionDeclaration.builder()
                                    .name("get_weather")
                                    .parametersJsonSchema(withDialect)
                                    .build()))
                    .build();
            assertThatThrownBy(() -> client.models.generateContent("gemini-2.5-flash", "hi", config))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(400);
                        assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
                        assertThat(e.message()).contains("Unknown name \"$schema\"");
                    });
        }
    }

    @Test
    void geminiRefusesJsonSchemaKeywordsInItsOpenApiSubset() throws Exception {
        String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
                + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"]}}}}]}]}";
        HttpResponse<String> typeList = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(gemini.origin() + "/v1beta/models/gemini-2.5-flash:generateContent"))
                                .header("x-goog-api-key", "AIza_test_fidelity_0001")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(typeList.statusCode()).isEqualTo(400);
        assertThat(typeList.body())
                .contains(
                        "Unknown name \\\"type\\\" at 'tools[0].function_declarations[0].parameters.properties[0].value'")
                .contains("Proto field is not repeating");
        HttpResponse<String> additional = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(gemini.origin() + "/v1beta/models/gemini-2.5-flash:generateContent"))
                                .header("x-goog-api-key", "AIza_test_fidelity_0001")
                                .POST(HttpRequest.BodyPublishers.ofString(body.replace(
                                        "[\"string\",\"null\"]}}", "\"string\"}},\"additionalProperties\":false")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(additional.statusCode()).isEqualTo(400);
        assertThat(additional.body()).contains("Unknown name \\\"additionalProperties\\\"");
    }

    @Test
    void geminiEmbeddingsThroughGoogleGenai() {
        try (Client client = genai("AIza_test_fidelity_0001")) {
            EmbedContentResponse r = client.models.embedContent(
                    "gemini-embedding-001",
                    List.of("first text", "second text"),
                    EmbedContentConfig.builder()
                            .taskType("RETRIEVAL_DOCUMENT")
                            .outputDimensionality(256)
                            .build());
            List<ContentEmbedding> embeddings = r.embeddings().orElseThrow();
            assertThat(embeddings).hasSize(2);
            assertThat(embeddings)
                    .allSatisfy(e -> assertThat(e.values().orElseThrow()).hasSize(256));
            assertThat(embeddings.get(0).values())
                    .isNotEqualTo(embeddings.get(1).values());
            assertThat(gemini.lastChatRequest().path())
                    .isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");

            EmbedContentResponse full = client.models.embedContent("gemini-embedding-001", "first text", null);
            List<Float> values = full.embeddings().orElseThrow().get(0).values().orElseThrow();
            assertThat(values).hasSize(3072); // the model's own length
            assertThatThrownBy(() -> client.models.embedContent(
                            "gemini-embedding-001",
                            "x",
                            EmbedContentConfig.builder().taskType("SUMMARY").build()))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        }
    }

    // ---- Cohere, with cohere-java ----

    private static Cohere cohereClient(String key) {
        return Cohere.builder()
                .token(key)
                .environment(Environment.custom(cohere.baseUrl()))
                .maxRetries(0)
                .build();
    }

    private static List<ChatMessageV2> userSays(String text) {
        return List.of(ChatMessageV2.user(
                UserMessageV2.builder().content(UserMessageV2Content.of(text)).build()));
    }

    @Test
    void cohereThroughCohereJava() {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        V2ChatResponse r = client.v2()
                .chat(V2ChatRequest.builder()
                        .model("command-r-08-2024")
                        .messages(userSays("Say four words"))
                        .temperature(0.2f)
                        .maxTokens(16)
                        .build());
        assertThat(r.getMessage()
                        .getContent()
                        .orElseThrow()
                        .get(0)
                        .getText()
                        .orElseThrow()
                        .getText())
                .isEqualTo("one two three four");
        assertThat(r.getUsage().orElseThrow().getTokens().orElseThrow().getOutputTokens())
                .contains(4.0);
        assertThat(r.getUsage().orElseThrow().getBilledUnits().orElseThrow().getInputTokens())
                .contains(3.0);
        StringBuilder streamed = new StringBuilder();
        boolean[] ended = {false};
        for (V2ChatStreamResponse event : client.v2()
                .chatStream(V2ChatStreamRequest.builder()
                        .model("command-r-08-2024")
                        .messages(userSays("Say four words"))
                        .build())) {
            event.getContentDelta()
                    .flatMap(d -> d.getDelta())
                    .flatMap(d -> d.getMessage())
                    .flatMap(m -> m.getContent())
                    .flatMap(c -> c.getText())
                    .ifPresent(streamed::append);
            ended[0] |= event.isMessageEnd();
        }
        assertThat(streamed.toString()).isEqualTo("one two three four");
        assertThat(ended[0]).isTrue();
    }

    @Test
    void cohereErrorsAsCohereJavaSeesThem() {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        cohere.faultOnce(Fault.rateLimited(Duration.ofSeconds(5)));
        assertThatThrownBy(() -> client.v2()
                        .chat(V2ChatRequest.builder()
                                .model("command-r-08-2024")
                                .messages(userSays("hi"))
                                .build()))
                .isInstanceOfSatisfying(CohereApiException.class, e -> assertThat(e.statusCode())
                        .isEqualTo(429));
        cohere.acceptKeys("other");
        assertThatThrownBy(() -> client.v2()
                        .chat(V2ChatRequest.builder()
                                .model("command-r-08-2024")
                                .messages(userSays("hi"))
                                .build()))
                .isInstanceOfSatisfying(CohereApiException.class, e -> assertThat(e.statusCode())
                        .isEqualTo(401));
    }

    @Test
    void cohereIsStrictAsCohereJavaSeesIt() {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        V2ChatResponse cut = client.v2()
                .chat(V2ChatRequest.builder()
                        .model("command-r-08-2024")
                        .messages(userSays("Say four words"))
                        .maxTokens(2)
                        .build());
        assertThat(cut.getMessage()
                        .getContent()
                        .orElseThrow()
                        .get(0)
                        .getText()
                        .orElseThrow()
                        .getText())
                .isEqualTo("one two");
        assertThat(cut.getFinishReason()).isEqualTo(ChatFinishReason.MAX_TOKENS);

        StringBuilder streamed = new StringBuilder();
        List<ChatFinishReason> finishes = new ArrayList<>();
        for (V2ChatStreamResponse event : client.v2()
                .chatStream(V2ChatStreamRequest.builder()
                        .model("command-r-08-2024")
                        .messages(userSays("Say four words"))
                        .stopSequences(List.of("three"))
                        .build())) {
            event.getContentDelta()
                    .flatMap(d -> d.getDelta())
                    .flatMap(d -> d.getMessage())
                    .flatMap(m -> m.getContent())
                    .flatMap(c -> c.getText())
                    .ifPresent(streamed::append);
            event.getMessageEnd()
                    .flatMap(e -> e.getDelta())
                    .flatMap(d -> d.getFinishReason())
                    .ifPresent(finishes::add);
        }
        assertThat(streamed.toString()).isEqualTo("one two ");
        assertThat(finishes).containsExactly(ChatFinishReason.STOP_SEQUENCE);

        assertThatThrownBy(() -> client.v2()
                        .chat(V2ChatRequest.builder()
                                .model("no-such-model")
                                .messages(userSays("hi"))
                                .build()))
                .isInstanceOfSatisfying(CohereApiException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.body().toString()).contains("model 'no-such-model' not found");
                });
    }

    // ---- Cohere agents: tools, tool results, JSON answers, embeddings, with cohere-java ----

    private static final Map<String, Object> CITY = Map.of(
            "type", "object", "properties", Map.of("city", Map.of("type", "string")), "required", List.of("city"));

    private static List<ToolV2> weatherTool() {
        return List.of(ToolV2.builder()
                .function(ToolV2Function.builder()
                        .name("get_weather")
                        .description("The weather in a city now")
                        .parameters(CITY)
                        .build())
                .build());
    }

    @Test
    void cohereToolCallThroughCohereJava() throws Exception {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        V2ChatResponse r = client.v2()
                .chat(V2ChatRequest.builder()
                        .model("command-a-03-2025")
                        .messages(userSays("Weather in Paris"))
                        .tools(weatherTool())
                        .toolChoice(V2ChatRequestToolChoice.REQUIRED)
                        .build());
        assertThat(r.getFinishReason()).isEqualTo(ChatFinishReason.TOOL_CALL);
        assertThat(r.getMessage().getContent())
                .as("a turn of calls has no text")
                .isEmpty();
        assertThat(r.getMessage().getToolPlan().orElseThrow()).contains("get_weather");
        ToolCallV2 call = r.getMessage().getToolCalls().orElseThrow().get(0);
        assertThat(call.getId()).isNotBlank();
        assertThat(call.getFunction().flatMap(f -> f.getName())).contains("get_weather");
        assertThat(Json.MAPPER
                        .readTree(call.getFunction()
                                .flatMap(f -> f.getArguments())
                                .orElseThrow())
                        .path("city")
                        .asText())
                .isEqualTo("Paris");

        V2ChatResponse told = client.v2()
                .chat(V2ChatRequest.builder()
                        .model("command-a-03-2025")
                        .messages(userSays("Weather in Paris"))
                        .tools(weatherTool())
                        .toolChoice(V2ChatRequestToolChoice.NONE)
                        .build());
        assertThat(told.getFinishReason()).isEqualTo(ChatFinishReason.COMPLETE);
        assertThat(told.getMessage().getToolCalls().orElse(List.of())).isEmpty();
    }

    @Test
    void cohereStreamsAToolCallAsCohereJavaReadsIt() throws Exception {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        StringBuilder plan = new StringBuilder();
        List<ToolCallV2> starts = new ArrayList<>();
        List<String> fragments = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        List<ChatFinishReason> finishes = new ArrayList<>();
        for (V2ChatStreamResponse event : client.v2()
                .chatStream(V2ChatStreamRequest.builder()
                        .model("command-a-03-2025")
                        .messages(userSays("Weather in Paris"))
                        .tools(weatherTool())
                        .build())) {
            event.getToolPlanDelta()
                    .flatMap(e -> e.getDelta())
                    .flatMap(d -> d.getMessage())
                    .flatMap(m -> m.getToolPlan())
                    .ifPresent(plan::append);
            event.getToolCallStart()
                    .flatMap(e -> e.getDelta())
                    .flatMap(d -> d.getMessage())
                    .flatMap(m -> m.getToolCalls())
                    .ifPresent(starts::add);
            event.getToolCallDelta()
                    .flatMap(e -> e.getDelta())
                    .flatMap(d -> d.getMessage())
                    .flatMap(m -> m.getToolCalls())
                    .flatMap(c -> c.getFunction())
                    .flatMap(f -> f.getArguments())
                    .ifPresent(fragments::add);
            event.getToolCallEnd().flatMap(e -> e.getIndex()).ifPresent(ends::add);
            event.getMessageEnd()
                    .flatMap(e -> e.getDelta())
                    .flatMap(d -> d.getFinishReason())
                    .ifPresent(finishes::add);
            assertThat(event.isContentDelta())
                    .as("a turn of calls streams no text")
                    .isFalse();
        }
        assertThat(plan.toString()).isEqualTo("I will use get_weather to answer this.");
        assertThat(starts).hasSize(1);
        assertThat(starts.get(0).getFunction().flatMap(f -> f.getName())).contains("get_weather");
        assertThat(fragments).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Json.MAPPER.readTree(String.join("", fragments)).path("city").asText())
                .isEqualTo("Paris");
        assertThat(ends).containsExactly(0);
        assertThat(finishes).containsExactly(ChatFinishReason.TOOL_CALL);
    }

    @Test
    void cohereAnswersWithAToolsResultThroughCohereJava() {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        ToolCallV2 call = ToolCallV2.builder()
                .id("get_weather_x1")
                .function(ToolCallV2Function.builder()
                        .name("get_weather")
                        .arguments("{\"city\":\"Paris\"}")
                        .build())
                .build();
        List<ChatMessageV2> conversation = new ArrayList<>(userSays("Weather in Paris"));
        conversation.add(ChatMessageV2.assistant(AssistantMessage.builder()
                .toolPlan("I will look it up.")
                .toolCalls(List.of(call))
                .build()));
        conversation.add(ChatMessageV2.tool(ToolMessageV2.builder()
                .toolCallId("get_weather_x1")
                .content(ToolMessageV2Content.of("18 degrees and clear"))
                .build()));
        V2ChatResponse r = client.v2()
                .chat(V2ChatRequest.builder()
                        .model("command-a-03-2025")
                        .messages(conversation)
                        .tools(weatherTool())
                        .build());
        assertThat(r.getFinishReason()).isEqualTo(ChatFinishReason.COMPLETE);
        assertThat(r.getMessage()
                        .getContent()
                        .orElseThrow()
                        .get(0)
                        .getText()
                        .orElseThrow()
                        .getText())
                .isEqualTo("The tool answered: 18 degrees and clear");

        conversation.set(
                1,
                ChatMessageV2.assistant(AssistantMessage.builder()
                        .content(AssistantMessageV2Content.of("Let me look."))
                        .toolCalls(List.of(call))
                        .build()));
        assertThatThrownBy(() -> client.v2()
                        .chat(V2ChatRequest.builder()
                                .model("command-a-03-2025")
                                .messages(conversation)
                                .tools(weatherTool())
                                .build()))
                .as("Cohere takes no text beside tool calls")
                .isInstanceOfSatisfying(CohereApiException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.body().toString()).contains("text content is not allowed when tool_calls");
                });
    }

    @Test
    void cohereAnswersJsonToASchemaThroughCohereJava() throws Exception {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        V2ChatResponse r = client.v2()
                .chat(V2ChatRequest.builder()
                        .model("command-a-03-2025")
                        .messages(userSays("Describe Paris"))
                        .responseFormat(ResponseFormatV2.jsonObject(
                                JsonResponseFormatV2.builder().jsonSchema(CITY).build()))
                        .build());
        String text = r.getMessage()
                .getContent()
                .orElseThrow()
                .get(0)
                .getText()
                .orElseThrow()
                .getText();
        assertThat(Json.MAPPER.readTree(text).path("city").asText()).isEqualTo("Paris");
    }

    @Test
    void cohereEmbedsThroughCohereJava() {
        Cohere client = cohereClient("cohere-fidelity-key-0000001");
        EmbedByTypeResponse r = client.v2()
                .embed(V2EmbedRequest.builder()
                        .model("embed-v4.0")
                        .inputType(EmbedInputType.SEARCH_DOCUMENT)
                        .texts(List.of("tea in the garden", "rain"))
                        .embeddingTypes(List.of(EmbeddingType.FLOAT))
                        .outputDimension(256)
                        .build());
        List<List<Double>> vectors = r.getEmbeddings().getFloat().orElseThrow();
        assertThat(vectors).hasSize(2);
        assertThat(vectors.get(0)).hasSize(256);
        assertThat(vectors.get(0)).isNotEqualTo(vectors.get(1));
        assertThat(r.getTexts().orElseThrow()).containsExactly("tea in the garden", "rain");
        assertThat(r.getMeta().flatMap(m -> m.getBilledUnits()).flatMap(b -> b.getInputTokens()))
                .contains(5.0);
        assertThat(cohere.lastChatRequest().path()).isEqualTo("/v2/embed");
    }

    /** Small JSON checks on what a simulator received. */
    static final class JsonAssert {
        static void field(com.fasterxml.jackson.databind.JsonNode node, String field, String expected) {
            assertThat(node.path(field).asText()).as(field).isEqualTo(expected);
        }
    }
}
