package dev.cortex.limits;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code x-ratelimit-*} headers OpenAI sends and its SDKs expose: limit, remaining and reset, for requests and for
 * tokens, on every answer to a key that has such limits (and on its 429s). Resets are written as OpenAI writes them
 * ({@code 1s}, {@code 6m0s}, {@code 20ms}).
 */
public final class RateHeaders {

    private RateHeaders() {}

    public static Map<String, String> of(RateWindow requests, RateWindow tokens) {
        Map<String, String> headers = new LinkedHashMap<>();
        add(headers, "requests", requests);
        add(headers, "tokens", tokens);
        return headers;
    }

    private static void add(Map<String, String> headers, String what, RateWindow window) {
        if (!window.limited()) {
            return;
        }
        headers.put("x-ratelimit-limit-" + what, Long.toString(window.limit()));
        headers.put("x-ratelimit-remaining-" + what, Long.toString(window.remaining()));
        headers.put("x-ratelimit-reset-" + what, duration(window.resetMillis()));
    }

    /** {@code 20ms}, {@code 1.5s}, {@code 6m0s}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        long minutes = millis / 60_000;
        long rest = millis % 60_000;
        String seconds = rest % 1000 == 0
                ? Long.toString(rest / 1000)
                : BigDecimal.valueOf(rest, 3).stripTrailingZeros().toPlainString();
        return minutes > 0 ? minutes + "m" + seconds + "s" : seconds + "s";
    }
}
