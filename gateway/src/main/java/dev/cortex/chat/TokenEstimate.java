package dev.cortex.chat;

import java.util.List;

/**
 * How many tokens a request may use before any provider has said: its prompt at about four characters a token (the
 * rule of thumb for English with the common tokenizers) plus a few per message for the roles and separators, and the
 * most it may answer. It only has to be close: what a request reserves is corrected by the provider's usage report.
 */
public final class TokenEstimate {

    private static final int CHARS_PER_TOKEN = 4;
    private static final int TOKENS_PER_MESSAGE = 4;

    private TokenEstimate() {}

    /** The prompt's tokens, from the text of its messages. */
    public static long prompt(List<String> messageTexts) {
        long chars = 0;
        for (String text : messageTexts) {
            chars += text == null ? 0 : text.length();
        }
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + (long) TOKENS_PER_MESSAGE * messageTexts.size();
    }
}
