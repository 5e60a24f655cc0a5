package dev.cortex.gateway;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.CortexServer;
import dev.cortex.Http;
import dev.cortex.chat.Json;
import dev.cortex.sim.GroqSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What agents send through the OpenAI door, to Groq (pinned with {@code X-Cortex-Provider}): a tool-call round trip
 * with the OpenAI Java SDK, whole and streamed; structured output (LangChain4j's AiServices, for every provider, in
 * AgentsAcrossProvidersTest); images as data URLs; and the bad inputs an agent can send, refused by name.
 */
class AgentsOpenAiTest {

    private static final String VISION_MODEL = "meta-llama/llama-4-scout-17b-16e-instruct";
    /** A 1x1 PNG. */
    private static final String PNG =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    static GroqSimulator groq;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        groq = (GroqSimulator) new GroqSimulator().start();
        groq.models("llama-3.1-8b-instant", VISION_MODEL);
        cortex = CortexServer.start(Map.of(
                "provider.groq.api-key",
                "gsk_test_agents_key_0001",
                "provider.groq.base-url",
                groq.baseUrl(),
                "provider.groq.models",
                "llama-3.1-8b-instant," + VISION_MODEL,
                "cortex.images.max-bytes",
                "1024"));
    }

    @BeforeEach
    void reset() {
        groq.reset();
        groq.models("llama-3.1-8b-instant", VISION_MODEL);
        groq.reply("Nothing to call here");
    }

    @AfterAll
    static void stop() {
        cortex.close();
        groq.close();
    }

    private static OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(cortex.url("/v1"))
                .apiKey("any-key")
                .putHeader("X-Cortex-Provider", "groq")
                .maxRetries(0)
                .build();
    }

    private static FunctionDefinition weatherTool() {
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

    private static ChatCompletionCreateParams weatherQuestion() {
        return ChatCompletionCreateParams.builder()
                .model("llama-3.1-8b-instant")
                .addUserMessage("What is the weather in Paris")
                .addFunctionTool(weatherTool())
                .build();
    }

    private static ChatCompletionCreateParams withResult(
            ChatCompletionCreateParams asked, ChatCompletion called, String callId, String result) {
        return asked.toBuilder()
                .addMessage(called.choices().get(0).message())
                .addMessage(ChatCompletionToolMessageParam.builder()
                        .toolCallId(callId)
                        .content(result)
                        .build())
                .build();
    }

    @Test
    void openAiJavaToolRoundTrip() throws Exception {
        ChatCompletionCreateParams asked = weatherQuestion().toBuilder()
                .addFunctionTool(FunctionDefinition.builder().name("get_time").build())
                .toolChoice(ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder()
                                .name("get_weather")
                                .build())
                        .build())
                .parallelToolCalls(false)
                .build();
        ChatCompletion called = openAi().chat().completions().create(asked);
        assertThat(called.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = called.choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction();
        assertThat(call.id()).isNotBlank();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Json.parse(call.function().arguments()).path("city").asText())
                .isEqualTo("Paris");
        JsonNode sent = groq.lastChatRequest().body();
        assertThat(sent.path("tools").path(0).path("function").path("name").asText())
                .isEqualTo("get_weather");
        assertThat(sent.path("tools")
                        .path(0)
                        .path("function")
                        .path("parameters")
                        .path("required")
                        .path(0)
                        .asText())
                .isEqualTo("city");

        ChatCompletion answered = openAi().chat().completions().create(withResult(asked, called, call.id(), "sunny"));
        assertThat(answered.choices().get(0).message().content()).contains("The tool answered: sunny");
        assertThat(answered.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        JsonNode turns = groq.lastChatRequest().body().path("messages");
        assertThat(turns.path(1).path("tool_calls").path(0).path("id").asText()).isEqualTo(call.id());
        assertThat(turns.path(2).path("role").asText()).isEqualTo("tool");
        assertThat(turns.path(2).path("tool_call_id").asText()).isEqualTo(call.id());
    }

    @Test
    void openAiJavaToolRoundTripStreaming() throws Exception {
        ChatCompletionCreateParams asked = weatherQuestion();
        ChatCompletionAccumulator calls = ChatCompletionAccumulator.create();
        int[] toolDeltas = {0};
        try (StreamResponse<ChatCompletionChunk> s =
                openAi().chat().completions().createStreaming(asked)) {
            s.stream().forEach(chunk -> {
                calls.accumulate(chunk);
                chunk.choices()
                        .forEach(ch -> toolDeltas[0] +=
                                ch.delta().toolCalls().map(List::size).orElse(0));
            });
        }
        assertThat(toolDeltas[0])
                .as("the call's first delta and its argument fragments, relayed")
                .isGreaterThan(1);
        ChatCompletion called = calls.chatCompletion();
        assertThat(called.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = called.choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction();
        assertThat(call.id()).isNotBlank();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Json.parse(call.function().arguments()).path("city").asText())
                .isEqualTo("Paris");

        List<String> pieces = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s =
                openAi().chat().completions().createStreaming(withResult(asked, called, call.id(), "rain, 12 C"))) {
            s.stream().forEach(chunk -> chunk.choices()
                    .forEach(ch -> ch.delta().content().ifPresent(pieces::add)));
        }
        assertThat(String.join("", pieces)).isEqualTo("The tool answered: rain, 12 C");
    }

    @Test
    void structuredOutputFollowsTheSchema() throws Exception {
        ChatCompletion c = openAi().chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("llama-3.1-8b-instant")
                        .addUserMessage("Extract the person: Ada is 36")
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
                        .build());
        JsonNode person = Json.parse(c.choices().get(0).message().content().orElseThrow());
        assertThat(person.path("name").isTextual()).isTrue();
        assertThat(person.path("age").isInt()).isTrue();
        JsonNode format = groq.lastChatRequest().body().path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("name").asText()).isEqualTo("person");
        assertThat(format.path("json_schema").path("schema").path("properties").has("age"))
                .isTrue();
    }

    @Test
    void jsonObjectOutputIsAnObject() throws Exception {
        HttpResponse<String> response = post("{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Answer in JSON\"}],\"response_format\":{\"type\":\"json_object\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String content =
                Json.parse(response.body()).at("/choices/0/message/content").asText();
        assertThat(Json.parse(content).path("answer").asText()).isEqualTo("Nothing to call here");
        assertThat(groq.lastChatRequest()
                        .body()
                        .path("response_format")
                        .path("type")
                        .asText())
                .isEqualTo("json_object");
    }

    @Test
    void anImageReachesGroqAsAnImageUrlPart() throws Exception {
        String dataUrl = "data:image/png;base64," + PNG;
        HttpResponse<String> response = post(chat(
                VISION_MODEL,
                "[{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"text\",\"text\":\"What is in this picture\"},"
                        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + dataUrl
                        + "\",\"detail\":\"low\"}}]}]"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode content =
                groq.lastChatRequest().body().path("messages").path(0).path("content");
        assertThat(content.path(0).path("text").asText()).isEqualTo("What is in this picture");
        assertThat(content.path(1).path("type").asText()).isEqualTo("image_url");
        assertThat(content.path(1).path("image_url").path("url").asText()).isEqualTo(dataUrl);
    }

    @Test
    void badAgentInputIsRefusedByName() throws Exception {
        assertRefused(
                post(chat(
                        "llama-3.1-8b-instant",
                        "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"tool\",\"content\":\"sunny\"}]")),
                400,
                "messages[1].tool_call_id");
        // a result for a call nobody made: OpenAI refuses it, and Gemini could not name the function it answers
        assertRefused(
                post(chat(
                        "llama-3.1-8b-instant",
                        "[{\"role\":\"user\",\"content\":\"hi\"},"
                                + "{\"role\":\"tool\",\"tool_call_id\":\"call_never_made\",\"content\":\"sunny\"}]")),
                400,
                "messages[1].tool_call_id");
        assertRefused(
                post(chat(
                        VISION_MODEL,
                        "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}]")),
                400,
                "messages[0].content[0].image_url.url");
        String oversize = Base64.getEncoder().encodeToString(new byte[2048]);
        HttpResponse<String> tooLarge = post(chat(
                VISION_MODEL,
                "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                        + "\"image_url\":{\"url\":\"data:image/png;base64," + oversize + "\"}}]}]"));
        assertRefused(tooLarge, 413, "messages[0].content[0].image_url.url");
        assertThat(Json.parse(tooLarge.body()).at("/error/message").asText()).contains("1024 bytes");
        assertRefused(
                post("{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}],"
                        + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}}"),
                400,
                "tool_choice");
        assertRefused(
                post("{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get weather!\"}}]}"),
                400,
                "tools[0].function.name");
        assertRefused(
                post("{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\"}}}"),
                400,
                "response_format.json_schema.schema");
        assertRefused(
                post("{\"model\":\"llama-3.1-8b-instant\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"functions\":[{\"name\":\"get_weather\"}]}"),
                400,
                "functions");
        assertThat(groq.chatCalls()).as("a refused request reaches no provider").isZero();
    }

    private static String chat(String model, String messages) {
        return "{\"model\":\"" + model + "\",\"messages\":" + messages + "}";
    }

    private static HttpResponse<String> post(String body) {
        return Http.send(HttpRequest.newBuilder(URI.create(cortex.url("/v1/chat/completions")))
                .header("Content-Type", "application/json")
                .header("X-Cortex-Provider", "groq")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String param) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = Json.parse(response.body()).path("error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).contains(param);
    }
}
