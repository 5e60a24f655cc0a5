package dev.cortex.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cortex.chat.FinishReason;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.ToolCall;
import dev.cortex.chat.ToolCallAssembler;
import dev.cortex.chat.Usage;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stream framing as providers send it, cut by the network at the worst places. */
class DecoderFramingTest {

    static final class Recorder implements StreamListener {
        final List<String> texts = new ArrayList<>();
        FinishReason finish;
        Usage usage;
        String model;
        final ToolCallAssembler toolCalls = new ToolCallAssembler();
        List<float[]> vectors = List.of();

        @Override
        public void onText(String text) {
            texts.add(text);
        }

        @Override
        public void onToolCall(int index, String id, String name, String argumentsFragment) {
            toolCalls.add(index, id, name, argumentsFragment);
        }

        @Override
        public void onEmbeddings(List<float[]> v) {
            vectors = v;
        }

        @Override
        public void onFinish(FinishReason reason) {
            finish = reason;
        }

        @Override
        public void onUsage(Usage u) {
            usage = u;
        }

        @Override
        public void onModel(String m) {
            model = m;
        }
    }

    /** Feeds the bytes one at a time: every split point a network could choose. */
    static void feedByteByByte(StreamDecoder decoder, String wire) {
        for (byte b : wire.getBytes(StandardCharsets.UTF_8)) {
            decoder.feed(new byte[] {b});
        }
        decoder.end();
    }

    @Test
    void groqStreamWithUsageChunkAndDone() {
        String wire = WireFixtures.text("groq/stream-include-usage.sse");
        Recorder r = new Recorder();
        feedByteByByte(new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(r), wire);
        assertThat(r.texts).containsExactly("Olá", " mundo");
        assertThat(r.finish).isEqualTo(FinishReason.LENGTH);
        assertThat(r.usage).isEqualTo(new Usage(5, 2));
        assertThat(r.model).isEqualTo("llama-3.1-8b-instant");
    }

    @Test
    void groqStreamWithoutDoneIsCut() {
        Recorder r = new Recorder();
        StreamDecoder d = new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(r);
        d.feed(WireFixtures.bytes("groq/stream-without-done.sse"));
        assertThatThrownBy(d::end)
                .isInstanceOfSatisfying(
                        StreamFailure.class, f -> assertThat(f.error().kind()).isEqualTo(UpstreamError.Kind.CUT));
        assertThat(r.texts).containsExactly("Hi");
    }

    @Test
    void groqErrorEventInsideA200Stream() {
        StreamDecoder d = new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(new Recorder());
        assertThatThrownBy(() -> d.feed(WireFixtures.bytes("groq/stream-error-event.sse")))
                .isInstanceOfSatisfying(
                        StreamFailure.class,
                        f -> assertThat(f.error().kind()).isEqualTo(UpstreamError.Kind.STREAM_ERROR));
    }

    @Test
    void groqToolCallsSentWholeInOneChunk() {
        Recorder r = new Recorder();
        feedByteByByte(
                new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(r),
                WireFixtures.text("groq/stream-tool-calls-whole.sse"));
        assertThat(r.toolCalls.calls())
                .containsExactly(
                        new ToolCall("call_a1", "get_weather", "{\"city\":\"Paris\"}"),
                        new ToolCall("call_b2", "get_time", "{\"zone\":\"CET\"}"));
        assertThat(r.texts).isEmpty();
        assertThat(r.finish).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage).isEqualTo(new Usage(210, 37));
    }

    @Test
    void toolCallArgumentsInFragmentsAreAssembled() {
        Recorder r = new Recorder();
        feedByteByByte(
                new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(r),
                WireFixtures.text("groq/stream-tool-call-fragments.sse"));
        assertThat(r.toolCalls.calls()).containsExactly(new ToolCall("call_x9", "get_weather", "{\"city\":\"Oslo\"}"));
        assertThat(r.finish).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void malformedChunkIsReportedNotSkipped() {
        StreamDecoder d = new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(new Recorder());
        assertThatThrownBy(() -> d.feed(WireFixtures.bytes("groq/stream-malformed-chunk.sse")))
                .isInstanceOfSatisfying(
                        StreamFailure.class, f -> assertThat(f.error().kind()).isEqualTo(UpstreamError.Kind.MALFORMED));
    }

    @Test
    void geminiCrLfFramingWithGrowingUsageAndNoEndMarker() {
        String wire = WireFixtures.text("gemini/stream-alt-sse.sse");
        Recorder r = new Recorder();
        feedByteByByte(new GeminiAdapter().decoder(r), wire);
        assertThat(r.texts).containsExactly("The weather", " is fine.");
        assertThat(r.usage).isEqualTo(new Usage(84, 15));
        assertThat(r.finish).isEqualTo(FinishReason.STOP);
    }

    @Test
    void geminiAnswerWithoutTextIsAnErrorNotAnEmptySuccess() {
        StreamDecoder d = new GeminiAdapter().decoder(new Recorder());
        assertThatThrownBy(() -> d.feed(WireFixtures.bytes("gemini/stream-safety-block.sse")))
                .isInstanceOfSatisfying(
                        StreamFailure.class, f -> assertThat(f.error().code()).isEqualTo("empty_answer"));
    }

    @Test
    void cohereNamedEventsEndAtMessageEnd() {
        String wire = WireFixtures.text("cohere/stream-max-tokens.sse");
        Recorder r = new Recorder();
        feedByteByByte(new CohereAdapter().decoder(r), wire);
        assertThat(r.texts).containsExactly("Coca", "-Cola");
        assertThat(r.usage).isEqualTo(new Usage(186, 2, 21, 2)); // tokens processed, billed_units kept apart
        assertThat(r.finish).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void ollamaNdjsonWithMultiByteCharactersSplitAcrossReads() {
        String wire = WireFixtures.text("ollama/chat-stream-multibyte.ndjson");
        Recorder r = new Recorder();
        feedByteByByte(new OllamaAdapter("30m").decoder(r), wire);
        assertThat(r.texts).containsExactly("¡Hola", " 世界");
        assertThat(r.usage).isEqualTo(new Usage(26, 2));
    }

    @Test
    void ollamaErrorLineAfterTokens() {
        Recorder r = new Recorder();
        StreamDecoder d = new OllamaAdapter("30m").decoder(r);
        String[] lines =
                WireFixtures.text("ollama/chat-stream-error-after-token.ndjson").split("(?<=\n)");
        d.feed(lines[0].getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> d.feed(lines[1].getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StreamFailure.class);
        assertThat(r.texts).containsExactly("Hi");
    }
}
