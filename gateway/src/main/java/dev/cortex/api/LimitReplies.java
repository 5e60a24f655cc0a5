package dev.cortex.api;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.cortex.failure.LimitExceededException;
import dev.cortex.limits.RateHeaders;

/**
 * The headers of a 429 for a key over its limits, as OpenAI's SDKs read them: {@code retry-after} (seconds, rounded
 * up) and {@code retry-after-ms} when a retry soon can succeed, {@code x-should-retry: false} when it cannot (a spent
 * budget, a request larger than a whole minute's tokens), and the key's {@code x-ratelimit-*} headers.
 */
public final class LimitReplies {

    private LimitReplies() {}

    public static Map<String, String> headers(LimitExceededException limited) {
        Map<String, String> headers = new LinkedHashMap<>();
        long wait = limited.decision().retryAfterMillis();
        if (wait >= 0) {
            headers.put("Retry-After", Long.toString(Math.max(1, (wait + 999) / 1000)));
        }
        if (limited.worthRetrying()) {
            headers.put("retry-after-ms", Long.toString(wait));
        } else {
            headers.put("x-should-retry", "false");
        }
        headers.putAll(
                RateHeaders.of(limited.decision().requests(), limited.decision().tokens()));
        return headers;
    }
}
