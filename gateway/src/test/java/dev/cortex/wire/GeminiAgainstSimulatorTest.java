package dev.cortex.wire;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.AgentRequests;
import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.sim.GeminiSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adapter's requests as the simulated Gemini reads them (it refuses what the real API refuses, such as a
 * {@code $schema} in a JSON-Schema field) and its answers as the adapter decodes them: a tool call, a tool result's
 * round trip, a schema-shaped answer, an image, embeddings. The front doors are not involved.
 */
class GeminiAgainstSimulatorTest {

    static GeminiSimulator gemini;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    final GeminiAdapter adapter = new GeminiAdapter();

    @BeforeAll
    static void start() {
        gemini = (GeminiSimulator) new GeminiSimulator().start();
    }

    @BeforeEach
    void reset() {
        gemini.reset();
        gemini.reply("one two three four");
    }

    @AfterAll
    static void stop() {
        gemini.close();
    }

    /** Sends the adapter's request to the simulator and feeds the answer to {@code decoder}; returns the status. */
    private static int exchange(UpstreamRequest request, StreamDecoder decoder) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(gemini.baseUrl() + request.path()))
                        .headers(request.headers().entrySet().stream()
                                .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                                .toArray(String[]::new))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 200) {
            decoder.feed(r.body());
            decoder.end();
        }
        return r.statusCode();
    }

    private static JsonNode json(String text) {
        return AgentRequests.json(text);
    }

    private static ChatRequest chat(
            List<ChatMessage> messages, List<ToolSpec> tools, ToolChoice choice, ResponseFormat format) {
        return AgentRequests.streaming("gemini-2.5-flash", messages, tools, choice, format);
    }

    /** As zod and pydantic write it: a dialect, a reference, a nullable type list, additionalProperties. */
    private static final ToolSpec WEATHER = new ToolSpec(
            "get_weather",
            "Weather in a city",
            json(
                    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                            + "\"properties\":{\"city\":{\"$ref\":\"#/$defs/City\"},\"unit\":{\"type\":[\"string\",\"null\"]}},"
                            + "\"required\":[\"city\"],\"additionalProperties\":false,\"$defs\":{\"City\":{\"type\":\"string\"}}}"),
            null);

    private static final ToolSpec TIME = new ToolSpec(
            "get_time", null, json("{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}}}"), null);

    @Test
    void aToolCallAndItsResultMakeTheRoundTrip() throws Exception {
        DecoderFramingTest.Recorder call = new DecoderFramingTest.Recorder();
        ChatRequest ask = chat(
                List.of(new ChatMessage("user", "Weather in Florence")),
                List.of(TIME, WEATHER),
                ToolChoice.function("get_weather"),
                null);
        assertThat(exchange(adapter.chatRequest(ask, "gemini-2.5-flash", "AIzaKey"), adapter.decoder(call)))
                .isEqualTo(200);
        List<ToolCall> calls = call.toolCalls.calls();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).name()).isEqualTo("get_weather");
        assertThat(json(calls.get(0).arguments()).path("city").asText()).isEqualTo("Florence");

        DecoderFramingTest.Recorder answer = new DecoderFramingTest.Recorder();
        ChatRequest followUp = chat(
                List.of(
                        new ChatMessage("user", "Weather in Florence"),
                        ChatMessage.assistant("", calls),
                        ChatMessage.toolResult(calls.get(0).id(), null, "{\"temp\":40}")),
                List.of(TIME, WEATHER),
                null,
                null);
        assertThat(exchange(adapter.chatRequest(followUp, "gemini-2.5-flash", "AIzaKey"), adapter.decoder(answer)))
                .isEqualTo(200);
        assertThat(String.join("", answer.texts)).isEqualTo("The tool answered: {\"temp\":40}");
        assertThat(answer.toolCalls.isEmpty()).isTrue();
    }

    @Test
    void theResultsOfParallelCallsGoBackTogether() throws Exception {
        List<ToolCall> calls = List.of(
                new ToolCall("call_a", "get_weather", "{\"city\":\"Florence\"}"),
                new ToolCall("call_b", "get_time", "{\"zone\":\"Rome\"}"));
        DecoderFramingTest.Recorder answer = new DecoderFramingTest.Recorder();
        ChatRequest followUp = chat(
                List.of(
                        new ChatMessage("user", "Weather and time in Florence"),
                        ChatMessage.assistant("", calls),
                        ChatMessage.toolResult("call_a", null, "{\"temp\":40}"),
                        ChatMessage.toolResult("call_b", null, "14:05")),
                List.of(TIME, WEATHER),
                null,
                null);
        // Gemini refuses results that do not answer all of the previous turn's calls in one turn
        assertThat(exchange(adapter.chatRequest(followUp, "gemini-2.5-flash", "AIzaKey"), adapter.decoder(answer)))
                .isEqualTo(200);
        assertThat(String.join("", answer.texts)).isEqualTo("The tool answered: {\"temp\":40}\n{\"result\":\"14:05\"}");
    }

    @Test
    void aSchemaShapedAnswerAboutAnImage() throws Exception {
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        ChatRequest ask = chat(
                List.of(ChatMessage.user(
                        "Which city is this: Florence", List.of(new ImageInput("image/png", "iVBORw0KGgo=")))),
                List.of(),
                null,
                ResponseFormat.schema("weather", WEATHER.parameters(), true));
        assertThat(exchange(adapter.chatRequest(ask, "gemini-2.5-flash", "AIzaKey"), adapter.decoder(r)))
                .isEqualTo(200);
        assertThat(json(String.join("", r.texts)).path("city").asText()).isEqualTo("Florence");
        JsonNode sent = gemini.lastChatRequest().body();
        assertThat(sent.at("/contents/0/parts/1/inlineData/mimeType").asText()).isEqualTo("image/png");
    }

    @Test
    void embeddingsOfTheAskedLengthOrTheModelsOwn() throws Exception {
        DecoderFramingTest.Recorder shortened = new DecoderFramingTest.Recorder();
        assertThat(exchange(
                        adapter.embedRequest(
                                        new EmbeddingRequest(null, List.of("a", "b", "c"), 128, "search_document"),
                                        "gemini-embedding-001",
                                        "AIzaKey")
                                .orElseThrow(),
                        adapter.embedDecoder(shortened)))
                .isEqualTo(200);
        assertThat(shortened.vectors).hasSize(3).allSatisfy(v -> assertThat(v).hasSize(128));

        DecoderFramingTest.Recorder full = new DecoderFramingTest.Recorder();
        assertThat(exchange(
                        adapter.embedRequest(
                                        new EmbeddingRequest(null, List.of("a"), null, null),
                                        "gemini-embedding-001",
                                        "k")
                                .orElseThrow(),
                        adapter.embedDecoder(full)))
                .isEqualTo(200);
        assertThat(full.vectors.get(0)).hasSize(3072);
    }
}
