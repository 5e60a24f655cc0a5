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
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.sim.CohereSimulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Cohere adapter's requests, sent as they are to the Cohere simulator (which refuses what Cohere refuses: OpenAI's
 * tool_choice words, per-function {@code strict}, text beside tool calls), and its answers read by the adapter's own
 * decoders: an agent's round trip, a JSON answer, an image, embeddings.
 */
class CohereAdapterOnTheWireTest {

    static CohereSimulator cohere;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final CohereAdapter ADAPTER = new CohereAdapter();

    private static final JsonNode CITY =
            json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    private static final List<ToolSpec> TOOLS = List.of(
            new ToolSpec("get_weather", "The weather in a city now", CITY, true),
            new ToolSpec("get_time", null, null, null));

    @BeforeAll
    static void start() {
        cohere = (CohereSimulator) new CohereSimulator().start();
    }

    @BeforeEach
    void reset() {
        cohere.reset();
    }

    @AfterAll
    static void stop() {
        cohere.close();
    }

    private static JsonNode json(String text) {
        return AgentRequests.json(text);
    }

    /** Sends the call and feeds the whole answer to the decoder; the status, for the refused. */
    private static int exchange(UpstreamRequest call, StreamDecoder decoder) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cohere.baseUrl() + call.path()))
                .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        call.headers().forEach(request::header);
        HttpResponse<byte[]> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 200) {
            decoder.feed(r.body());
            decoder.end();
        }
        return r.statusCode();
    }

    private static DecoderFramingTest.Recorder chat(List<ChatMessage> messages, ToolChoice choice, ResponseFormat f)
            throws Exception {
        ChatRequest request =
                AgentRequests.streaming("command-a-03-2025", messages, choice == null ? List.of() : TOOLS, choice, f);
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        int status = exchange(ADAPTER.chatRequest(request, "command-a-03-2025", "co-key"), ADAPTER.decoder(r));
        assertThat(status).as("Cohere's answer to the adapter's request").isEqualTo(200);
        return r;
    }

    @Test
    void anAgentsRoundTrip() throws Exception {
        List<ChatMessage> ask = List.of(new ChatMessage("user", "Weather in Paris"));
        DecoderFramingTest.Recorder called = chat(ask, ToolChoice.function("get_weather"), ResponseFormat.TEXT);
        assertThat(called.finish).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(called.texts).as("the tool plan is not the answer").isEmpty();
        ToolCall call = called.toolCalls.calls().get(0);
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(json(call.arguments()).path("city").asText()).isEqualTo("Paris");
        JsonNode sent = cohere.lastChatRequest().body();
        assertThat(sent.path("tool_choice").asText()).isEqualTo("REQUIRED");
        assertThat(sent.path("strict_tools").asBoolean()).isTrue();

        DecoderFramingTest.Recorder answered = chat(
                List.of(
                        ask.get(0),
                        ChatMessage.assistant("Let me look that up.", List.of(call)),
                        ChatMessage.toolResult(call.id(), null, "18 degrees")),
                ToolChoice.AUTO,
                ResponseFormat.TEXT);
        assertThat(String.join("", answered.texts)).isEqualTo("The tool answered: 18 degrees");
        assertThat(answered.finish).isEqualTo(FinishReason.STOP);
        assertThat(cohere.lastChatRequest()
                        .body()
                        .path("messages")
                        .get(1)
                        .path("tool_plan")
                        .asText())
                .isEqualTo("Let me look that up.");

        DecoderFramingTest.Recorder refrained = chat(ask, ToolChoice.NONE, ResponseFormat.TEXT);
        assertThat(refrained.toolCalls.isEmpty()).isTrue();
        assertThat(refrained.texts).isNotEmpty();
    }

    @Test
    void aJsonAnswerToASchema() throws Exception {
        DecoderFramingTest.Recorder r = chat(
                List.of(new ChatMessage("user", "Describe Paris")), null, ResponseFormat.schema("place", CITY, true));
        assertThat(json(String.join("", r.texts)).path("city").asText()).isEqualTo("Paris");
    }

    @Test
    void anImageReachesCohereAsAnImagePart() throws Exception {
        chat(
                List.of(ChatMessage.user("What is this?", List.of(new ImageInput("image/png", "iVBORw0KGgo=")))),
                null,
                ResponseFormat.TEXT);
        JsonNode part = cohere.lastChatRequest()
                .body()
                .path("messages")
                .get(0)
                .path("content")
                .get(1);
        assertThat(part.path("image_url").path("url").asText()).isEqualTo("data:image/png;base64,iVBORw0KGgo=");
    }

    @Test
    void embeddings() throws Exception {
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        int status = exchange(
                ADAPTER.embedRequest(
                                new EmbeddingRequest("embed-v4.0", List.of("tea in the garden", "rain"), 256, null),
                                "embed-v4.0",
                                "co-key")
                        .orElseThrow(),
                ADAPTER.embedDecoder(r));
        assertThat(status).isEqualTo(200);
        assertThat(r.vectors).hasSize(2);
        assertThat(r.vectors.get(0)).hasSize(256);
        assertThat(r.usage.promptTokens()).isEqualTo(5);
    }
}
