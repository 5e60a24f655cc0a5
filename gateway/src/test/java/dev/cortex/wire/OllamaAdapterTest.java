package dev.cortex.wire;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.cortex.AgentRequests;
import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.ImageInput;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolChoice;
import dev.cortex.chat.ToolSpec;
import dev.cortex.failure.StreamFailure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ollama's wire for agents: a conversation from any door (OpenAI's ids, arguments as text) in Ollama's own message
 * shape, and the calls in its NDJSON lines back as whole tool-call pieces with ids of their own.
 */
class OllamaAdapterTest {

    private static final OllamaAdapter ADAPTER = new OllamaAdapter("30m");

    private static ToolSpec tool(String name) throws Exception {
        return new ToolSpec(
                name,
                "a tool",
                Json.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"),
                null);
    }

    private static ChatRequest request(
            List<ChatMessage> messages, List<ToolSpec> tools, ToolChoice choice, ResponseFormat format) {
        return AgentRequests.streaming("m", messages, tools, choice, format);
    }

    private static JsonNode body(ChatRequest request) throws Exception {
        return Json.parse(ADAPTER.chatRequest(request, "llama3.2", null).body());
    }

    @Test
    void aConversationFromTheOpenAiDoorGoesOutInOllamasShape() throws Exception {
        ChatRequest request = request(
                List.of(
                        ChatMessage.user("What is this?", List.of(new ImageInput("image/png", "iVBORw0KGgo="))),
                        ChatMessage.assistant(
                                "", List.of(new ToolCall("call_abc", "get_weather", "{\"city\":\"Paris\"}"))),
                        ChatMessage.toolResult("call_abc", null, "{\"temperature_c\":21}")),
                List.of(tool("get_weather")),
                null,
                ResponseFormat.JSON_OBJECT);
        JsonNode body = body(request);
        JsonNode messages = body.path("messages");
        assertThat(messages.at("/0/images/0").asText()).isEqualTo("iVBORw0KGgo=");
        assertThat(messages.at("/0/content").asText()).isEqualTo("What is this?");
        JsonNode call = messages.at("/1/tool_calls/0");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(call.at("/function/arguments").isObject()).isTrue();
        assertThat(call.at("/function/arguments/city").asText()).isEqualTo("Paris");
        assertThat(messages.at("/2/role").asText()).isEqualTo("tool");
        assertThat(messages.at("/2/tool_name").asText())
                .as("named by the call its id points at")
                .isEqualTo("get_weather");
        assertThat(messages.at("/2/tool_call_id").isMissingNode()).isTrue();
        assertThat(body.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(body.path("format").asText()).isEqualTo("json");
        assertThat(body.path("stream").asBoolean()).isTrue();
    }

    @Test
    void toolChoiceAndFormatBecomeWhatOllamaHas() throws Exception {
        List<ChatMessage> hi = List.of(new ChatMessage("user", "hi"));
        List<ToolSpec> two = List.of(tool("a"), tool("b"));
        assertThat(body(request(hi, two, ToolChoice.NONE, null)).has("tools"))
                .as("none: no tools offered")
                .isFalse();
        JsonNode only = body(request(hi, two, ToolChoice.function("b"), null)).path("tools");
        assertThat(only).hasSize(1);
        assertThat(only.at("/0/function/name").asText()).isEqualTo("b");
        assertThat(body(request(hi, two, ToolChoice.REQUIRED, null)).path("tools"))
                .hasSize(2);
        JsonNode schema = Json.parse("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}");
        assertThat(body(request(hi, List.of(), null, ResponseFormat.schema("s", schema, true)))
                        .path("format"))
                .isEqualTo(schema);
        assertThat(body(request(hi, List.of(), null, null)).has("format")).isFalse();
    }

    @Test
    void callsInAStreamLineComeOutWholeWithIdsOfTheirOwn() {
        DecoderFramingTest.Recorder r = new DecoderFramingTest.Recorder();
        StreamDecoder d = ADAPTER.decoder(r);
        d.feed(("{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
                        + "{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}},"
                        + "{\"function\":{\"name\":\"get_time\",\"arguments\":{}}}]},\"done\":false}\n"
                        + "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                        + "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":9,\"eval_count\":3}\n")
                .getBytes(StandardCharsets.UTF_8));
        List<ToolCall> calls = r.toolCalls.calls();
        assertThat(calls).extracting(ToolCall::name).containsExactly("get_weather", "get_time");
        assertThat(calls.get(0).arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(calls.get(1).arguments()).isEqualTo("{}");
        assertThat(calls).allSatisfy(c -> assertThat(c.id()).startsWith("call_"));
        assertThat(calls.get(0).id()).isNotEqualTo(calls.get(1).id());
        assertThat(r.finish).isEqualTo(FinishReason.STOP); // the call turns it into TOOL_CALLS, for every wire
    }

    @Test
    void aCallWithoutAFunctionNameIsAMalformedStream() {
        StreamDecoder d = ADAPTER.decoder(new DecoderFramingTest.Recorder());
        assertThatThrownBy(() -> d.feed(
                        "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{}}]},\"done\":false}\n"
                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StreamFailure.class);
    }
}
