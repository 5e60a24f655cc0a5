package dev.cortex.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessage;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.models.chat.OllamaChatToolCalls;
import io.github.ollama4j.tools.Tools;
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
import dev.cortex.sim.GroqSimulator;
import dev.cortex.sim.OllamaSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Agents through Cortex's Ollama door ({@code /api/chat}), as Ollama clients send them: tools and the calls coming
 * back whole with their arguments as an object (streaming and not), a tool's result carried back to the model,
 * {@code format} (json and a schema) and images, with the Ollama simulator behind — so the door's translation and the
 * Ollama wire's are both crossed.
 */
class AgentsOllamaDoorTest {

    static final int MAX_IMAGE_BYTES = 1024;
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    static OllamaSimulator ollama;
    static GroqSimulator groq;
    static CortexServer cortex;

    @BeforeAll
    static void start() {
        ollama = (OllamaSimulator) new OllamaSimulator().start();
        ollama.installModel("llava:7b", 4700L * 1024 * 1024, "llama", "7B")
                .capabilities("llava:7b", 4096, "completion", "vision");
        groq = (GroqSimulator) new GroqSimulator().start();
        cortex = CortexServer.start(Map.of(
                "provider.ollama.base-url", ollama.baseUrl(),
                "provider.groq.api-key", "gsk_test_ollama_door_key_0001",
                "provider.groq.base-url", groq.baseUrl(),
                "cortex.images.max-bytes", String.valueOf(MAX_IMAGE_BYTES)));
        // a request naming an Ollama model goes to Ollama once Cortex has seen Ollama's model list (its first probe)
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String health = Http.get(cortex.url("/api/health")).body();
            return health.contains("\"llama3.2:latest\"") && health.contains("\"llava:7b\"");
        });
    }

    @BeforeEach
    void reset() {
        ollama.reset();
        groq.reset();
        ollama.reply("one two three four");
        cortex.bean("ollamaBreaker", CircuitBreaker.class).reset();
        cortex.bean("groqBreaker", CircuitBreaker.class).reset();
    }

    @AfterAll
    static void stop() {
        cortex.close();
        ollama.close();
        groq.close();
    }

    private static Ollama client() {
        Ollama client = new Ollama(cortex.url(""));
        client.setRequestTimeoutSeconds(20);
        return client;
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

    private static OllamaChatRequest weatherQuestion(boolean streaming) {
        OllamaChatRequest r = OllamaChatRequest.builder()
                .withModel("llama3.2")
                .withMessage(OllamaChatMessageRole.USER, "What is the weather in Paris")
                .withTools(new ArrayList<>(List.of(WEATHER)));
        return streaming ? r.withStreaming() : r;
    }

    private static OllamaChatResult chat(Ollama client, OllamaChatRequest request) throws Exception {
        return request.isStream() ? client.chat(request, t -> {}) : client.chat(request, null);
    }

    @ParameterizedTest(name = "streaming: {0}")
    @ValueSource(booleans = {false, true})
    void toolsComeBackAsCallsWithObjectArguments(boolean streaming) throws Exception {
        Ollama client = client();
        client.setMaxChatToolCallRetries(0); // hand the call back instead of running the tool
        OllamaChatResult called = chat(client, weatherQuestion(streaming));

        List<OllamaChatToolCalls> calls = called.getResponseModel().getMessage().getToolCalls();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getFunction().getName()).isEqualTo("get_weather");
        assertThat(calls.get(0).getFunction().getArguments()).containsEntry("city", "Paris");
        assertThat(calls.get(0).getId())
                .as("Cortex gives Ollama's id-less call one")
                .startsWith("call_");
        assertThat(called.getResponseModel().getDoneReason()).isEqualTo("stop");

        JsonNode sent = ollama.lastChatRequest().body();
        assertThat(sent.at("/tools/0/type").asText()).isEqualTo("function");
        assertThat(sent.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/function/parameters/required/0").asText()).isEqualTo("city");
    }

    @ParameterizedTest(name = "streaming: {0}")
    @ValueSource(booleans = {false, true})
    void aToolResultRoundTripEndsInTheAnswer(boolean streaming) throws Exception {
        // ollama4j runs the tool, adds the call and its result (without tool_name) to the conversation, asks again
        OllamaChatResult answered = chat(client(), weatherQuestion(streaming));

        assertThat(answered.getResponseModel().getMessage().getResponse())
                .startsWith("The tool answered: ")
                .contains("21 degrees in Paris");
        JsonNode messages = ollama.lastChatRequest().body().path("messages");
        assertThat(messages.at("/1/tool_calls/0/function/arguments/city").asText())
                .as("the call went upstream with its arguments as an object")
                .isEqualTo("Paris");
        assertThat(messages.at("/2/role").asText()).isEqualTo("tool");
        assertThat(messages.at("/2/tool_name").asText())
                .as("the result is linked to the call it answers")
                .isEqualTo("get_weather");
        assertThat(ollama.chatCalls()).isEqualTo(2);
    }

    @Test
    void aConversationWithToolNamesAndNoIdsRoundTripsOverRawHttp() throws Exception {
        String body = "{\"model\":\"llama3.2\",\"stream\":false,\"tools\":[" + weatherTool() + "],\"messages\":["
                + "{\"role\":\"user\",\"content\":\"What is the weather in Paris\"},"
                + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":{\"city\":\"Paris\"}}}]},"
                + "{\"role\":\"tool\",\"tool_name\":\"get_weather\",\"content\":\"{\\\"temperature_c\\\":21}\"}]}";
        var r = Http.post(cortex.url("/api/chat"), body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = Json.parse(r.body());
        assertThat(answer.at("/message/content").asText()).isEqualTo("The tool answered: {\"temperature_c\":21}");
        assertThat(answer.path("done_reason").asText()).isEqualTo("stop");
        assertThat(answer.at("/message/tool_calls").isMissingNode()).isTrue();
    }

    @Test
    void aStreamSendsTheCallsWholeInOneLineBeforeTheLast() throws Exception {
        Http.Stream s = Http.stream(
                cortex.url("/api/chat"),
                "{\"model\":\"llama3.2\",\"tools\":[" + weatherTool()
                        + "],\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris\"}]}");
        assertThat(s.status()).isEqualTo(200);
        List<String> lines = s.lines();
        JsonNode calls = Json.parse(lines.get(lines.size() - 2));
        assertThat(calls.path("done").asBoolean()).isFalse();
        assertThat(calls.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(calls.at("/message/tool_calls/0/function/arguments").isObject())
                .isTrue();
        assertThat(calls.at("/message/tool_calls/0/function/arguments/city").asText())
                .isEqualTo("Paris");
        JsonNode last = Json.parse(lines.get(lines.size() - 1));
        assertThat(last.path("done").asBoolean()).isTrue();
        assertThat(last.path("done_reason").asText()).isEqualTo("stop");
    }

    @Test
    void formatAsksForJsonOrForASchema() throws Exception {
        OllamaChatResult json = client().chat(
                        OllamaChatRequest.builder()
                                .withModel("llama3.2")
                                .withMessage(OllamaChatMessageRole.USER, "Say four words")
                                .withGetJsonResponse()
                                .build(),
                        null);
        assertThat(Json.parse(json.getResponseModel().getMessage().getResponse())
                        .path("answer")
                        .asText())
                .isEqualTo("one two three four");
        assertThat(ollama.lastChatRequest().body().path("format").asText()).isEqualTo("json");

        String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
                + "\"population\":{\"type\":\"integer\"}},\"required\":[\"city\",\"population\"]}";
        var r = Http.post(
                cortex.url("/api/chat"),
                "{\"model\":\"llama3.2\",\"stream\":false,\"format\":" + schema
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Describe Paris\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = Json.parse(Json.parse(r.body()).at("/message/content").asText());
        assertThat(answer.path("city").asText()).isEqualTo("Paris");
        assertThat(answer.path("population").isIntegralNumber()).isTrue();
        assertThat(ollama.lastChatRequest().body().path("format")).isEqualTo(Json.parse(schema));
    }

    @Test
    void anImageReachesOllamaAsBase64() throws Exception {
        client().chat(
                        OllamaChatRequest.builder()
                                .withModel("llava:7b") // a vision model
                                .withMessages(new ArrayList<>(List.of(new OllamaChatMessage(
                                        OllamaChatMessageRole.USER,
                                        "What is in this picture",
                                        null,
                                        null,
                                        List.of(PNG)))))
                                .build(),
                        null);
        JsonNode sent = ollama.lastChatRequest().body().at("/messages/0");
        assertThat(sent.path("content").asText()).isEqualTo("What is in this picture");
        assertThat(sent.at("/images/0").asText()).isEqualTo(Base64.getEncoder().encodeToString(PNG));
    }

    @Test
    void anImageThatIsNoImageOrTooLargeIsRefusedNamingIt() throws Exception {
        byte[] large = new byte[MAX_IMAGE_BYTES + 1];
        System.arraycopy(PNG, 0, large, 0, PNG.length);
        Map<String, Integer> refused = Map.of(
                Base64.getEncoder().encodeToString("just some text".getBytes()),
                400,
                "not base64!",
                400,
                Base64.getEncoder().encodeToString(large),
                413);
        for (Map.Entry<String, Integer> e : refused.entrySet()) {
            var r = Http.post(
                    cortex.url("/api/chat"),
                    "{\"model\":\"llama3.2\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\","
                            + "\"images\":[\"" + e.getKey() + "\"]}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(e.getValue());
            assertThat(Json.parse(r.body()).path("error").asText()).contains("messages[0].images[0]");
        }
        assertThat(ollama.chatCalls()).isZero();
    }

    @Test
    void badToolsAndFormatsAreRefusedNamingTheField() throws Exception {
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        Map<String, String> refused = Map.of(
                "{\"tools\":{}," + user + "}",
                "tools",
                "{\"tools\":[{\"type\":\"function\",\"function\":{}}]," + user + "}",
                "tools[0].function.name",
                "{\"format\":\"xml\"," + user + "}",
                "format",
                "{\"messages\":[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":"
                        + "{\"name\":\"f\",\"arguments\":\"{}\"}}]}]}",
                "messages[0].tool_calls[0].function.arguments");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            var r = Http.post(cortex.url("/api/chat"), e.getKey());
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
            assertThat(Json.parse(r.body()).path("error").asText()).contains(e.getValue());
        }
    }

    /** A call made by another provider (Groq, OpenAI-shaped, arguments as text) reaches this door as Ollama's. */
    @Test
    void aCallFromAnotherProviderRendersWithObjectArguments() throws Exception {
        String ask = "{\"provider\":\"groq\",\"model\":\"llama-3.1-8b-instant\",\"stream\":false,\"tools\":["
                + weatherTool() + "],\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris\"}]}";
        var r = Http.post(cortex.url("/api/chat"), ask);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode message = Json.parse(r.body()).path("message");
        assumeThat(message.has("tool_calls"))
                .as("the Groq simulator calls tools (taught in another change)")
                .isTrue();
        assertThat(message.at("/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(message.at("/tool_calls/0/function/arguments/city").asText()).isEqualTo("Paris");
        assertThat(message.at("/tool_calls/0/id").asText()).isNotBlank();
    }

    private static String weatherTool() {
        ObjectNode tool = Json.object().put("type", "function");
        ObjectNode function =
                tool.putObject("function").put("name", "get_weather").put("description", "The weather in a city now");
        ObjectNode parameters = function.putObject("parameters").put("type", "object");
        parameters.putObject("properties").putObject("city").put("type", "string");
        parameters.putArray("required").add("city");
        return tool.toString();
    }
}
