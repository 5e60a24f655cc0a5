package dev.cortex.wire;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.cortex.AgentRequests;
import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.chat.Usage;
import dev.cortex.failure.BadRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Gemini's side of tools, tool results, images, structured output and embeddings, request and answer. */
class GeminiAdapterTest {

    private final GeminiAdapter adapter = new GeminiAdapter();

    private static JsonNode json(String text) {
        return AgentRequests.json(text);
    }

    private static JsonNode body(UpstreamRequest request) throws IOException {
        return Json.parse(request.body());
    }

    private static ChatRequest request(
            List<ChatMessage> messages, List<ToolSpec> tools, ToolChoice choice, ResponseFormat format) {
        return AgentRequests.streaming("gemini-2.5-flash", messages, tools, choice, format);
    }

    private static final ToolSpec WEATHER = new ToolSpec(
            "get_weather",
            "Weather in a city",
            json("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
                    + "\"properties\":{\"city\":{\"$ref\":\"#/$defs/City\",\"description\":\"where\"},"
                    + "\"unit\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"city\"],"
                    + "\"additionalProperties\":false,\"$defs\":{\"City\":{\"type\":\"string\",\"minLength\":1}}}"),
            true);

    @Test
    void toolsGoAsFunctionDeclarationsWithTheirSchemaMadeFitForGemini() throws IOException {
        JsonNode body = body(adapter.chatRequest(
                request(List.of(new ChatMessage("user", "Weather?")), List.of(WEATHER), null, null),
                "gemini-2.5-flash",
                "AIzaKey"));
        JsonNode declaration = body.at("/tools/0/functionDeclarations/0");
        assertThat(declaration.path("name").asText()).isEqualTo("get_weather");
        assertThat(declaration.path("description").asText()).isEqualTo("Weather in a city");
        assertThat(declaration.has("parameters")).isFalse(); // the OpenAPI-subset field would refuse JSON Schema
        JsonNode schema = declaration.path("parametersJsonSchema");
        assertThat(schema.has("$schema")).isFalse();
        assertThat(schema.has("$defs")).isFalse();
        assertThat(schema.at("/properties/city"))
                .isEqualTo(json("{\"type\":\"string\",\"minLength\":1,\"description\":\"where\"}"));
        assertThat(schema.at("/properties/unit/type")).isEqualTo(json("[\"string\",\"null\"]"));
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(WEATHER.parameters().has("$schema")).isTrue(); // the caller's schema is left as it was
        assertThat(body.has("toolConfig")).isFalse(); // no choice said: Gemini's default, AUTO
    }

    @Test
    void recursiveReferencesStayWithTheirDefinitions() {
        JsonNode schema = GeminiSchema.of(
                json(
                        "{\"type\":\"object\",\"properties\":{\"root\":{\"$ref\":\"#/$defs/Node\"}},"
                                + "\"$defs\":{\"Node\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/Node\"}}}}}"));
        assertThat(schema.at("/properties/root/properties/next/$ref").asText()).isEqualTo("#/$defs/Node");
        assertThat(schema.has("$defs")).isTrue();
    }

    @Test
    void toolChoiceBecomesFunctionCallingConfig() throws IOException {
        JsonNode forced = body(adapter.chatRequest(
                request(
                        List.of(new ChatMessage("user", "Weather?")),
                        List.of(WEATHER),
                        ToolChoice.function("get_weather"),
                        null),
                "m",
                "k"));
        assertThat(forced.at("/toolConfig/functionCallingConfig"))
                .isEqualTo(json("{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}"));
        JsonNode required = body(adapter.chatRequest(
                request(List.of(new ChatMessage("user", "x")), List.of(WEATHER), ToolChoice.REQUIRED, null), "m", "k"));
        assertThat(required.at("/toolConfig/functionCallingConfig")).isEqualTo(json("{\"mode\":\"ANY\"}"));
        JsonNode none = body(adapter.chatRequest(
                request(List.of(new ChatMessage("user", "x")), List.of(WEATHER), ToolChoice.NONE, null), "m", "k"));
        assertThat(none.at("/toolConfig/functionCallingConfig/mode").asText()).isEqualTo("NONE");
    }

    @Test
    void callsAndTheirResultsGoAsFunctionCallAndOneFunctionResponseTurn() throws IOException {
        List<ChatMessage> messages = List.of(
                new ChatMessage("system", "Be brief."),
                new ChatMessage("user", "Weather and time in Florence?"),
                ChatMessage.assistant(
                        "Checking.",
                        List.of(
                                new ToolCall("call_1", "get_weather", "{\"city\":\"Florence\"}"),
                                new ToolCall("call_2", "get_time", "{\"city\":\"Florence\"}"))),
                ChatMessage.toolResult("call_1", null, "{\"temp\":40}"),
                ChatMessage.toolResult("call_2", null, "14:05"));
        JsonNode body = body(adapter.chatRequest(request(messages, List.of(WEATHER), null, null), "m", "k"));
        assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
        JsonNode contents = body.path("contents");
        assertThat(contents).hasSize(3);
        assertThat(contents.get(1))
                .isEqualTo(json("{\"role\":\"model\",\"parts\":[{\"text\":\"Checking.\"},"
                        + "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Florence\"}}},"
                        + "{\"functionCall\":{\"name\":\"get_time\",\"args\":{\"city\":\"Florence\"}}}]}"));
        assertThat(contents.get(2))
                .isEqualTo(json("{\"role\":\"user\",\"parts\":["
                        + "{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"temp\":40}}},"
                        + "{\"functionResponse\":{\"name\":\"get_time\",\"response\":{\"result\":\"14:05\"}}}]}"));
    }

    @Test
    void aToolResultNothingNamesIsTheCallersMistake() {
        ChatRequest orphan = request(
                List.of(new ChatMessage("user", "x"), ChatMessage.toolResult("call_9", null, "42")),
                List.of(),
                null,
                null);
        assertThatThrownBy(() -> adapter.chatRequest(orphan, "m", "k"))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).isEqualTo("messages");
                    assertThat(e.getMessage()).contains("call_9");
                });
    }

    @Test
    void imagesFollowTheTextAsInlineData() throws IOException {
        JsonNode body = body(adapter.chatRequest(
                request(
                        List.of(ChatMessage.user(
                                "What is this?", List.of(new ImageInput("image/png", "iVBORw0KGgo=")))),
                        List.of(),
                        null,
                        null),
                "m",
                "k"));
        assertThat(body.at("/contents/0/parts"))
                .isEqualTo(json("[{\"text\":\"What is this?\"},"
                        + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}]"));
    }

    @Test
    void structuredOutputAsksForJsonAndGivesTheSchema() throws IOException {
        JsonNode schemaBody = body(adapter.chatRequest(
                request(
                        List.of(new ChatMessage("user", "x")),
                        List.of(),
                        null,
                        ResponseFormat.schema("answer", WEATHER.parameters(), true)),
                "m",
                "k"));
        assertThat(schemaBody.at("/generationConfig/responseMimeType").asText()).isEqualTo("application/json");
        assertThat(schemaBody
                        .at("/generationConfig/responseJsonSchema/properties/city/type")
                        .asText())
                .isEqualTo("string");
        assertThat(schemaBody.at("/generationConfig/responseJsonSchema").has("$schema"))
                .isFalse();
        JsonNode objectBody = body(adapter.chatRequest(
                request(List.of(new ChatMessage("user", "x")), List.of(), null, ResponseFormat.JSON_OBJECT), "m", "k"));
        assertThat(objectBody.at("/generationConfig")).isEqualTo(json("{\"responseMimeType\":\"application/json\"}"));
    }

    @Test
    void functionCallsInTheStreamAreCallsNotAnEmptyAnswer() {
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        DecoderFramingTest.feedByteByByte(adapter.decoder(r), WireFixtures.text("gemini/stream-function-call.sse"));
        List<ToolCall> calls = r.toolCalls.calls();
        assertThat(calls).extracting(ToolCall::name).containsExactly("get_weather", "get_time");
        assertThat(json(calls.get(0).arguments())).isEqualTo(json("{\"city\":\"Florence\",\"unit\":\"celsius\"}"));
        assertThat(calls).allSatisfy(c -> assertThat(c.id()).startsWith("call_"));
        assertThat(calls.get(0).id()).isNotEqualTo(calls.get(1).id());
        assertThat(r.texts).isEmpty();
        assertThat(r.finish).isEqualTo(FinishReason.STOP); // UpstreamCall makes it TOOL_CALLS, for every wire
        assertThat(r.usage).isEqualTo(new Usage(61, 77));
    }

    @Test
    void embeddingsAreOneBatchWithTaskTypeAndDimensions() throws IOException {
        UpstreamRequest request = adapter.embedRequest(
                        new EmbeddingRequest("gemini-embedding-001", List.of("a", "b"), 256, "search_query"),
                        "gemini-embedding-001",
                        "AIzaKey")
                .orElseThrow();
        assertThat(request.path()).isEqualTo("/models/gemini-embedding-001:batchEmbedContents");
        assertThat(request.headers()).containsEntry("x-goog-api-key", "AIzaKey");
        JsonNode requests = body(request).path("requests");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1))
                .isEqualTo(json("{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"b\"}]},"
                        + "\"taskType\":\"RETRIEVAL_QUERY\",\"outputDimensionality\":256}"));
        JsonNode plain = body(
                adapter.embedRequest(new EmbeddingRequest(null, List.of("a"), null, null), "gemini-embedding-001", "k")
                        .orElseThrow());
        assertThat(plain.at("/requests/0").has("taskType")).isFalse();
        assertThat(plain.at("/requests/0").has("outputDimensionality")).isFalse();
    }

    @Test
    void embeddingAnswerGivesOneVectorPerInput() {
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        DecoderFramingTest.feedByteByByte(
                adapter.embedDecoder(r), "{\"embeddings\":[{\"values\":[0.5,-0.25]},{\"values\":[1,0]}]}");
        assertThat(r.vectors).hasSize(2);
        assertThat(r.vectors.get(0)).containsExactly(0.5f, -0.25f);
        assertThat(r.vectors.get(1)).containsExactly(1f, 0f);
        assertThat(r.usage).isNull(); // Gemini counts no tokens for embeddings, and none are made up
    }
}
