package dev.cortex.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.cortex.chat.ChatMessage;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.ChatResult;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.Json;
import dev.cortex.chat.ResponseFormat;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.Usage;
import dev.cortex.failure.BadRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Ollama door's reading of agents' requests: Ollama's id-less calls get ids by their place in the conversation,
 * and each tool result is linked to the call it answers, so that providers that need ids get a consistent conversation.
 */
class OllamaApiTest {

    private static final OllamaApi DOOR = new OllamaApi(new ImageInputs(false, 64, Duration.ofSeconds(1)));
    private static final String PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUg==";

    private static ChatRequest parse(String body) throws Exception {
        return DOOR.parse(Json.parse(body));
    }

    @Test
    void callsGetIdsByPlaceAndResultsAreLinkedByToolName() throws Exception {
        ChatRequest r = parse("{\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather and time in Paris\"},"
                + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
                + "{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}},"
                + "{\"function\":{\"name\":\"get_time\",\"arguments\":{}}}]},"
                + "{\"role\":\"tool\",\"tool_name\":\"get_time\",\"content\":\"noon\"},"
                + "{\"role\":\"tool\",\"content\":\"21 C\"}]}");
        List<ChatMessage> m = r.messages();
        assertThat(m.get(1).toolCalls())
                .containsExactly(
                        new ToolCall("call_1_0", "get_weather", "{\"city\":\"Paris\"}"),
                        new ToolCall("call_1_1", "get_time", "{}"));
        assertThat(m.get(2).toolCallId()).isEqualTo("call_1_1");
        assertThat(m.get(2).name()).isEqualTo("get_time");
        assertThat(m.get(3).toolCallId())
                .as("no tool_name: the first call not yet answered")
                .isEqualTo("call_1_0");
        assertThat(m.get(3).name()).isEqualTo("get_weather");
    }

    @Test
    void aToolResultThatAnswersNoCallIsRefused() {
        assertThatThrownBy(() -> parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                        + "{\"role\":\"tool\",\"tool_name\":\"get_weather\",\"content\":\"21 C\"}]}"))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("messages[1]")
                .hasMessageContaining("get_weather");
        assertThatThrownBy(() -> parse("{\"messages\":[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
                        + "{\"function\":{\"name\":\"f\",\"arguments\":{}}}]},"
                        + "{\"role\":\"tool\",\"tool_name\":\"g\",\"content\":\"x\"}]}"))
                .as("a result for a function nobody called")
                .hasMessageContaining("messages[1]");
    }

    @Test
    void anIdTheClientKeptIsUsed() throws Exception {
        ChatRequest r = parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
                + "{\"id\":\"call_groq_1\",\"function\":{\"name\":\"f\",\"arguments\":{}}},"
                + "{\"id\":\"call_groq_2\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_groq_2\",\"content\":\"b\"},"
                + "{\"role\":\"tool\",\"tool_name\":\"f\",\"content\":\"a\"}]}");
        assertThat(r.messages().get(2).toolCallId()).isEqualTo("call_groq_2");
        assertThat(r.messages().get(3).toolCallId()).isEqualTo("call_groq_1");
    }

    @Test
    void toolsFormatAndImagesAreRead() throws Exception {
        ChatRequest r = parse("{\"format\":{\"type\":\"object\"},\"tools\":[{\"type\":\"function\",\"function\":"
                + "{\"name\":\"f\",\"description\":\"d\",\"parameters\":{\"type\":\"object\"}}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"what is this\",\"images\":[\"" + PNG_BASE64
                + "\"]}]}");
        assertThat(r.tools()).hasSize(1);
        assertThat(r.tools().get(0).name()).isEqualTo("f");
        assertThat(r.tools().get(0).description()).isEqualTo("d");
        assertThat(r.offersTools()).isTrue();
        assertThat(r.responseFormat().kind()).isEqualTo(ResponseFormat.Kind.JSON_SCHEMA);
        assertThat(r.messages().get(0).images().get(0).mediaType()).isEqualTo("image/png");
        assertThat(r.messages().get(0).images().get(0).base64()).isEqualTo(PNG_BASE64);
        assertThat(r.needs().vision()).isTrue();
        assertThat(parse("{\"format\":\"json\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                        .responseFormat())
                .isEqualTo(ResponseFormat.JSON_OBJECT);
    }

    @Test
    void imagesAreTypedByTheirFirstBytesAndBoundedBySize() throws Exception {
        Map<String, String> types = Map.of(
                "/9j/4AAQ",
                "image/jpeg",
                Base64.getEncoder().encodeToString("GIF89a..".getBytes(StandardCharsets.US_ASCII)),
                "image/gif",
                Base64.getEncoder().encodeToString("RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII)),
                "image/webp");
        for (Map.Entry<String, String> e : types.entrySet()) {
            assertThat(parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"images\":[\"" + e.getKey()
                                    + "\"]}]}")
                            .messages()
                            .get(0)
                            .images()
                            .get(0)
                            .mediaType())
                    .isEqualTo(e.getValue());
        }
        String wave = Base64.getEncoder().encodeToString("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() ->
                        parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"images\":[\"" + wave + "\"]}]}"))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("messages[0].images[0]");
        assertThatThrownBy(() -> parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"images\":[\""
                        + "A".repeat(100) + "\"]}]}"))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("messages[0].images[0]")
                .hasMessageContaining("limit of 64 bytes");
    }

    @Test
    void aToolCallFromAnyProviderRendersWithObjectArgumentsAndItsId() throws Exception {
        ChatResult result = new ChatResult(
                "",
                FinishReason.TOOL_CALLS,
                Usage.NONE,
                "groq",
                "m",
                List.of(new ToolCall("call_x", "f", "{\"a\":1}")),
                List.of());
        var body = Json.parse(DOOR.renderResult(result));
        assertThat(body.path("done_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/message/tool_calls/0/id").asText()).isEqualTo("call_x");
        assertThat(body.at("/message/tool_calls/0/function/arguments/a").asInt())
                .isEqualTo(1);
    }
}
