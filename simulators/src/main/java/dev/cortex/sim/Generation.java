package dev.cortex.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a model "generates" from the simulator's reply, as the real providers bound it: the text ends at the first
 * stop sequence (which is not part of it), and after {@code maxTokens} tokens (one whitespace word is one token here).
 * A reply cut by the limit finishes with {@link Finish#LENGTH}; one cut by a stop sequence with
 * {@link Finish#STOP_SEQUENCE}; a whole reply with {@link Finish#NATURAL}. Each wire names these its provider's way.
 */
record Generation(String text, Finish finish) {

    /** Why a generation ended. */
    enum Finish {
        NATURAL,
        STOP_SEQUENCE,
        LENGTH
    }

    private static final Pattern PIECE = Pattern.compile("\\s*\\S+");

    /**
     * @param maxTokens null for no limit
     * @param stops     stop sequences; empty ones are ignored
     */
    static Generation of(String reply, Integer maxTokens, List<String> stops) {
        String text = reply == null ? "" : reply;
        Finish finish = Finish.NATURAL;
        int cut = -1;
        for (String stop : stops) {
            int at = stop.isEmpty() ? -1 : text.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            text = text.substring(0, cut);
            finish = Finish.STOP_SEQUENCE;
        }
        List<String> pieces = chunks(text);
        if (maxTokens != null && pieces.size() > maxTokens) {
            pieces = pieces.subList(0, Math.max(0, maxTokens));
            finish = Finish.LENGTH;
        }
        return new Generation(String.join("", pieces), finish);
    }

    /** The stream chunks of this generation, one word each. */
    List<String> chunks() {
        return chunks(text);
    }

    int tokens() {
        return words(text);
    }

    /**
     * "one two three" → "one", " two", " three": one word per chunk with the whitespace before it, the last one with
     * any whitespace after it, so that the chunks put together are the text.
     */
    static List<String> chunks(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PIECE.matcher(text == null ? "" : text);
        int end = 0;
        while (m.find()) {
            out.add(m.group());
            end = m.end();
        }
        if (!out.isEmpty() && end < text.length()) {
            out.set(out.size() - 1, out.get(out.size() - 1) + text.substring(end));
        }
        return out;
    }

    /** Whitespace words: the simulator's deterministic token count. */
    static int words(String text) {
        return text == null || text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }
}
