package dev.cortex.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What goes into a response header is printable ASCII of bounded length, whatever a caller or provider sent. */
class ReplyHeadersTest {

    @Test
    void dropsControlCharactersSoNoHeaderCanBeInjected() {
        assertThat(ReplyHeaders.safe("llama\r\nSet-Cookie: x=1")).isEqualTo("llamaSet-Cookie: x=1");
        assertThat(ReplyHeaders.safe("a\tb\u0000c\u007Fd\u001Be")).isEqualTo("abcde");
    }

    @Test
    void replacesEachCharacterBeyondAsciiWithOneQuestionMark() {
        assertThat(ReplyHeaders.safe("mod\u00e8le-\u4e2d-\uD83D\uDE00")).isEqualTo("mod?le-?-?");
        assertThat(ReplyHeaders.safe("c1\u0085"))
                .as("a C1 control is beyond ASCII too")
                .isEqualTo("c1?");
    }

    @Test
    void cutsALongValue() {
        assertThat(ReplyHeaders.safe("m".repeat(5000))).hasSize(ReplyHeaders.MAX_LENGTH);
        assertThat(ReplyHeaders.safe("\u00e9".repeat(5000))).hasSize(ReplyHeaders.MAX_LENGTH);
    }

    @Test
    void leavesAnHonestValueAndNullAlone() {
        String attempts = "groq:429,ollama:ok";
        assertThat(ReplyHeaders.safe(attempts)).isSameAs(attempts);
        assertThat(ReplyHeaders.safe("groq(serves llama-3.1-8b-instant), ollama"))
                .isEqualTo("groq(serves llama-3.1-8b-instant), ollama");
        assertThat(ReplyHeaders.safe(null)).isNull();
    }
}
