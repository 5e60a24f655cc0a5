package dev.cortex.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.chat.Usage;

import static org.assertj.core.api.Assertions.assertThat;

/** What the Cohere adapter puts on Cohere's v2 wire for agents' requests, and what it reads back from it. */
class CohereAdapterTest {

    private static final JsonNode WEATHER_PARAMETERS =
            json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");

    private static final ToolSpec WEATHER = new ToolSpec("get_weather", "The weather now", WEATHER_PARAMETERS, null);
    private static final ToolSpec TIME = new ToolSpec("get_time", null, null, null);

    private static JsonNode json(String text) {
        return AgentRequests.json(text);
    }

    private static ChatRequest request(
            List<ChatMessage> messages, List<ToolSpec> tools, ToolChoice choice, ResponseFormat format) {
        return AgentRequests.streaming("command-a-03-2025", messages, tools, choice, format);
    }

    private static ChatRequest withTools(List<ToolSpec> tools, ToolChoice choice) {
        return request(List.of(new ChatMessage("user", "Weather in Paris?")), tools, choice, ResponseFormat.TEXT);
    }

    private static JsonNode body(ChatRequest request) {
        try {
            return Json.parse(new CohereAdapter()
                    .chatRequest(request, "command-a-03-2025", "co-key")
                    .body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void toolsGoInOpenAisShapeAndTheModelDecidesUnlessTold() {
        JsonNode body = body(withTools(List.of(WEATHER, TIME), null));
        JsonNode tool = body.path("tools").get(0);
        assertThat(tool.path("type").asText()).isEqualTo("function");
        assertThat(tool.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(tool.path("function").path("description").asText()).isEqualTo("The weather now");
        assertThat(tool.path("function").path("parameters")).isEqualTo(WEATHER_PARAMETERS);
        assertThat(body.path("tools").get(1).path("function").path("name").asText())
                .isEqualTo("get_time");
        assertThat(body.has("tool_choice"))
                .as("auto is Cohere's default, sent as nothing")
                .isFalse();
        assertThat(body.has("strict_tools")).isFalse();
        assertThat(body(withTools(List.of(WEATHER), ToolChoice.AUTO)).has("tool_choice"))
                .isFalse();
    }

    @Test
    void toolChoiceIsRequiredOrNoneInCoheresWords() {
        assertThat(body(withTools(List.of(WEATHER, TIME), ToolChoice.NONE))
                        .path("tool_choice")
                        .asText())
                .isEqualTo("NONE");
        JsonNode required = body(withTools(List.of(WEATHER, TIME), ToolChoice.REQUIRED));
        assertThat(required.path("tool_choice").asText()).isEqualTo("REQUIRED");
        assertThat(required.path("tools")).hasSize(2);
    }

    @Test
    void oneNamedFunctionIsThatToolAloneAndRequired() {
        JsonNode body = body(withTools(List.of(WEATHER, TIME), ToolChoice.function("get_time")));
        assertThat(body.path("tool_choice").asText()).isEqualTo("REQUIRED");
        assertThat(body.path("tools")).hasSize(1);
        assertThat(body.path("tools").get(0).path("function").path("name").asText())
                .isEqualTo("get_time");
    }

    @Test
    void oneStrictToolMakesCohereStrictForAllAndNoFunctionCarriesTheFlag() {
        ToolSpec strictWeather = new ToolSpec("get_weather", null, WEATHER_PARAMETERS, true);
        JsonNode body = body(withTools(List.of(strictWeather, TIME), null));
        assertThat(body.path("strict_tools").asBoolean()).isTrue();
        assertThat(body.path("tools").findValues("strict")).isEmpty();
    }

    @Test
    void noToolsNoToolFields() {
        JsonNode body = body(withTools(List.of(), ToolChoice.REQUIRED));
        assertThat(body.has("tools")).isFalse();
        assertThat(body.has("tool_choice")).isFalse();
    }

    @Test
    void aToolRoundTripInCoheresMessages() {
        ToolCall call = new ToolCall("get_weather_k2m9", "get_weather", "{\"city\":\"Paris\"}");
        JsonNode body = body(request(
                List.of(
                        new ChatMessage("user", "Weather in Paris?"),
                        ChatMessage.assistant("Let me look that up.", List.of(call)),
                        ChatMessage.toolResult("get_weather_k2m9", "get_weather", "18°C, clear"),
                        ChatMessage.assistant("", List.of(call)),
                        ChatMessage.toolResult("get_weather_k2m9", null, "19°C")),
                List.of(WEATHER),
                null,
                ResponseFormat.TEXT));
        JsonNode messages = body.path("messages");
        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.has("content"))
                .as("Cohere refuses text beside tool calls")
                .isFalse();
        assertThat(assistant.path("tool_plan").asText()).isEqualTo("Let me look that up.");
        JsonNode sent = assistant.path("tool_calls").get(0);
        assertThat(sent.path("id").asText()).isEqualTo("get_weather_k2m9");
        assertThat(sent.path("type").asText()).isEqualTo("function");
        assertThat(sent.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(sent.path("function").path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        JsonNode tool = messages.get(2);
        assertThat(tool.path("role").asText()).isEqualTo("tool");
        assertThat(tool.path("tool_call_id").asText()).isEqualTo("get_weather_k2m9");
        assertThat(tool.path("content").asText()).isEqualTo("18°C, clear");
        assertThat(messages.get(3).has("content")).isFalse();
        assertThat(messages.get(3).has("tool_plan")).as("no text, no plan").isFalse();
    }

    @Test
    void imagesAreImageUrlPartsWithDataUrls() {
        JsonNode body = body(request(
                List.of(ChatMessage.user("What is this?", List.of(new ImageInput("image/png", "iVBORw0KGgo=")))),
                List.of(),
                null,
                ResponseFormat.TEXT));
        JsonNode parts = body.path("messages").get(0).path("content");
        assertThat(parts.get(0).path("type").asText()).isEqualTo("text");
        assertThat(parts.get(0).path("text").asText()).isEqualTo("What is this?");
        assertThat(parts.get(1).path("type").asText()).isEqualTo("image_url");
        assertThat(parts.get(1).path("image_url").path("url").asText()).isEqualTo("data:image/png;base64,iVBORw0KGgo=");
    }

    @Test
    void jsonAnswersAreJsonObjectWithTheSchemaWhenThereIsOne() {
        JsonNode schema = json("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}");
        List<ChatMessage> ask = List.of(new ChatMessage("user", "A name, as JSON"));
        JsonNode withSchema = body(request(ask, List.of(), null, ResponseFormat.schema("person", schema, true)))
                .path("response_format");
        assertThat(withSchema.path("type").asText()).isEqualTo("json_object");
        assertThat(withSchema.path("json_schema")).isEqualTo(schema);
        JsonNode anyObject =
                body(request(ask, List.of(), null, ResponseFormat.JSON_OBJECT)).path("response_format");
        assertThat(anyObject.path("type").asText()).isEqualTo("json_object");
        assertThat(anyObject.has("json_schema")).isFalse();
        assertThat(body(request(ask, List.of(), null, ResponseFormat.TEXT)).has("response_format"))
                .isFalse();
    }

    @Test
    void aStreamOfToolCallsBecomesOpenAiDeltasAndThePlanIsNotTheAnswer() {
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        DecoderFramingTest.feedByteByByte(
                new CohereAdapter().decoder(r), WireFixtures.text("cohere/stream-tool-calls.sse"));
        assertThat(r.texts).as("the tool plan is reasoning, not content").isEmpty();
        assertThat(r.toolCalls.calls())
                .containsExactly(
                        new ToolCall("get_weather_k2m9q4r7t1zx", "get_weather", "{\"city\": \"Paris\"}"),
                        new ToolCall("get_weather_p8d3w6y0c5vb", "get_weather", "{\"city\": \"Oslo\"}"));
        assertThat(r.finish).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage).isEqualTo(new Usage(1210, 77, 58, 31));
    }

    @Test
    void toolCallPiecesArriveAsOpenAiDeltasDo() {
        List<String> pieces = new ArrayList<>();
        StreamListener r = new StreamListener() {
            @Override
            public void onToolCall(int index, String id, String name, String argumentsFragment) {
                pieces.add(index + "|" + id + "|" + name + "|" + argumentsFragment);
            }

            @Override
            public void onText(String text) {
                pieces.add("text " + text);
            }

            @Override
            public void onFinish(FinishReason reason) {}

            @Override
            public void onUsage(Usage usage) {}
        };
        DecoderFramingTest.feedByteByByte(
                new CohereAdapter().decoder(r), WireFixtures.text("cohere/stream-tool-calls.sse"));
        assertThat(pieces)
                .containsExactly(
                        "0|get_weather_k2m9q4r7t1zx|get_weather|",
                        "0|null|null|{\"city\"",
                        "0|null|null|: \"Paris\"}",
                        "1|get_weather_p8d3w6y0c5vb|get_weather|",
                        "1|null|null|{\"city\": ",
                        "1|null|null|\"Oslo\"}");
    }

    @Test
    void embeddingsAreOneCallToV2EmbedForFloats() throws IOException {
        CohereAdapter adapter = new CohereAdapter();
        UpstreamRequest call = adapter.embedRequest(
                        new EmbeddingRequest("embed-v4.0", List.of("tea", "rain"), 512, "search_query"),
                        "embed-v4.0",
                        "co-key")
                .orElseThrow();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/v2/embed");
        assertThat(call.headers()).containsEntry("Authorization", "Bearer co-key");
        JsonNode body = Json.parse(call.body());
        assertThat(body.path("model").asText()).isEqualTo("embed-v4.0");
        assertThat(body.path("texts")).isEqualTo(json("[\"tea\",\"rain\"]"));
        assertThat(body.path("input_type").asText()).isEqualTo("search_query");
        assertThat(body.path("embedding_types")).isEqualTo(json("[\"float\"]"));
        assertThat(body.path("output_dimension").asInt()).isEqualTo(512);

        JsonNode plain = Json.parse(
                adapter.embedRequest(new EmbeddingRequest(null, List.of("tea"), null, null), "embed-v4.0", "co-key")
                        .orElseThrow()
                        .body());
        assertThat(plain.path("input_type").asText()).isEqualTo("search_document");
        assertThat(plain.has("output_dimension")).isFalse();
    }

    @Test
    void anEmbedAnswerGivesTheFloatVectorsAndTheBilledTokens() {
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        DecoderFramingTest.feedByteByByte(
                new CohereAdapter().embedDecoder(r), WireFixtures.text("cohere/embed-float.json"));
        assertThat(r.vectors).hasSize(2);
        assertThat(r.vectors.get(0)).containsExactly(0.0412f, -0.0173f, 0.0628f, -0.0091f);
        assertThat(r.vectors.get(1)).containsExactly(-0.0257f, 0.0334f, -0.0046f, 0.0715f);
        assertThat(r.usage).isEqualTo(new Usage(9, 0));
    }
}
