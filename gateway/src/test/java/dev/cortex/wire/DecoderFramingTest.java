package dev.cortex.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cortex.chat.FinishReason;
import dev.cortex.chat.StreamListener;
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

        @Override
        public void onText(String text) {
            texts.add(text);
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
        String wire = "data: {\"id\":\"c1\",\"model\":\"llama-3.1-8b-instant\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"x_groq\":{\"id\":\"req_1\"}}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Olá\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" mundo\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}],\"x_groq\":{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n"
                + "data: [DONE]\n\n";
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
        d.feed("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(d::end).isInstanceOfSatisfying(StreamFailure.class,
                f -> assertThat(f.error().kind()).isEqualTo(UpstreamError.Kind.CUT));
        assertThat(r.texts).containsExactly("Hi");
    }

    @Test
    void groqErrorEventInsideA200Stream() {
        StreamDecoder d = new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(new Recorder());
        assertThatThrownBy(() -> d.feed("event: error\ndata: {\"error\":{\"message\":\"over capacity\",\"type\":\"server_error\"}}\n\n"
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StreamFailure.class,
                        f -> assertThat(f.error().kind()).isEqualTo(UpstreamError.Kind.STREAM_ERROR));
    }

    @Test
    void malformedChunkIsReportedNotSkipped() {
        StreamDecoder d = new OpenAiCompatibleAdapter("max_completion_tokens", true).decoder(new Recorder());
        assertThatThrownBy(() -> d.feed("data: {\"choices\":[{\"delta\"\n\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StreamFailure.class,
                        f -> assertThat(f.error().kind()).isEqualTo(UpstreamError.Kind.MALFORMED));
    }

    @Test
    void geminiCrLfFramingWithGrowingUsageAndNoEndMarker() {
        String wire = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"The weather\"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":84,\"candidatesTokenCount\":4,\"totalTokenCount\":88},\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n"
                + "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" is fine.\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":84,\"candidatesTokenCount\":12,\"thoughtsTokenCount\":3,\"totalTokenCount\":99}}\r\n\r\n";
        Recorder r = new Recorder();
        feedByteByByte(new GeminiAdapter().decoder(r), wire);
        assertThat(r.texts).containsExactly("The weather", " is fine.");
        assertThat(r.usage).isEqualTo(new Usage(84, 15));
        assertThat(r.finish).isEqualTo(FinishReason.STOP);
    }

    @Test
    void geminiAnswerWithoutTextIsAnErrorNotAnEmptySuccess() {
        StreamDecoder d = new GeminiAdapter().decoder(new Recorder());
        assertThatThrownBy(() -> d.feed("data: {\"candidates\":[{\"content\":{\"role\":\"model\"},\"finishReason\":\"SAFETY\"}]}\r\n\r\n"
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StreamFailure.class, f -> assertThat(f.error().code()).isEqualTo("empty_answer"));
    }

    @Test
    void cohereNamedEventsEndAtMessageEnd() {
        String wire = "event: message-start\ndata: {\"id\":\"a8\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}\n\n"
                + "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Coca\"}}}}\n\n"
                + "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"-Cola\"}}}}\n\n"
                + "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"MAX_TOKENS\",\"usage\":{\"billed_units\":{\"input_tokens\":21,\"output_tokens\":2},\"tokens\":{\"input_tokens\":186,\"output_tokens\":2}}}}\n\n"
                + "data: [DONE]\n\n";
        Recorder r = new Recorder();
        feedByteByByte(new CohereAdapter().decoder(r), wire);
        assertThat(r.texts).containsExactly("Coca", "-Cola");
        assertThat(r.usage).isEqualTo(new Usage(186, 2, 21, 2)); // tokens processed, billed_units kept apart
        assertThat(r.finish).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void ollamaNdjsonWithMultiByteCharactersSplitAcrossReads() {
        String wire = "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"¡Hola\"},\"done\":false}\n"
                + "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\" 世界\"},\"done\":false}\n"
                + "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":26,\"eval_count\":2}\n";
        Recorder r = new Recorder();
        feedByteByByte(new OllamaAdapter("30m").decoder(r), wire);
        assertThat(r.texts).containsExactly("¡Hola", " 世界");
        assertThat(r.usage).isEqualTo(new Usage(26, 2));
    }

    @Test
    void ollamaErrorLineAfterTokens() {
        Recorder r = new Recorder();
        StreamDecoder d = new OllamaAdapter("30m").decoder(r);
        d.feed("{\"message\":{\"content\":\"Hi\"},\"done\":false}\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> d.feed("{\"error\":\"runner crashed\"}\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StreamFailure.class);
        assertThat(r.texts).containsExactly("Hi");
    }
}
