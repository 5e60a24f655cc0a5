package dev.cortex.wire;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.cortex.failure.FailureClass;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.failure.UpstreamError;

import static org.assertj.core.api.Assertions.assertThat;

/** Each provider's error responses, read into facts, and the one table that decides what they mean. */
class ErrorFactsTest {

    private final FailureClassifier classifier = new FailureClassifier(
            Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(5));

    @Test
    void groqRateLimitWithRetryAfterHeader() {
        UpstreamError e = new OpenAiCompatibleAdapter("max_completion_tokens", true)
                .error(429, Map.of("retry-after", "7")::get, WireFixtures.text("groq/429-tokens-per-minute.json"));
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.label()).isEqualTo("429");
        assertThat(classifier.classify(e)).isEqualTo(FailureClass.RATE_LIMITED);
    }

    @Test
    void groqRateLimitHintFromMessageWhenNoHeader() {
        UpstreamError e = new OpenAiCompatibleAdapter("max_completion_tokens", true)
                .error(429, Map.<String, String>of()::get, WireFixtures.text("groq/429-try-again-in-message.json"));
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(62_500));
    }

    @Test
    void groqPerDayLimitIsAQuotaWithTheRequestsReset() {
        UpstreamError e = new OpenAiCompatibleAdapter("max_completion_tokens", true)
                .error(
                        429,
                        Map.of("retry-after", "2", "x-ratelimit-reset-requests", "2h3m")::get,
                        WireFixtures.text("groq/429-requests-per-day.json"));
        assertThat(e.quota()).isEqualTo(UpstreamError.Quota.PER_DAY);
        assertThat(e.label()).isEqualTo("quota");
        assertThat(classifier.cooldown(e)).isEqualTo(Duration.ofMinutes(123));
        assertThat(classifier.classify(e)).isEqualTo(FailureClass.QUOTA_EXHAUSTED);
    }

    @Test
    void geminiQuotaPerMinuteWithRetryInfo() {
        String body = WireFixtures.text("gemini/429-per-minute-retry-info.json");
        UpstreamError e = new GeminiAdapter().error(429, Map.<String, String>of()::get, body);
        assertThat(e.label()).isEqualTo("quota");
        assertThat(e.quota()).isEqualTo(UpstreamError.Quota.PER_MINUTE);
        assertThat(classifier.cooldown(e)).isEqualTo(Duration.ofSeconds(36));
    }

    @Test
    void geminiPerDayQuotaCoolsForAtLeastTheDailyMinimum() {
        String body = WireFixtures.text("gemini/429-per-day.json");
        UpstreamError e = new GeminiAdapter().error(429, Map.<String, String>of()::get, body);
        assertThat(e.quota()).isEqualTo(UpstreamError.Quota.PER_DAY);
        assertThat(classifier.cooldown(e)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void geminiInvalidKeyIs400ButMeansDropTheKey() {
        String body = WireFixtures.text("gemini/400-api-key-invalid-array-wrapped.json");
        UpstreamError e = new GeminiAdapter().error(400, Map.<String, String>of()::get, body);
        assertThat(classifier.classify(e)).isEqualTo(FailureClass.INVALID_KEY);
    }

    @Test
    void theTable() {
        assertThat(classify(401)).isEqualTo(FailureClass.INVALID_KEY);
        assertThat(classify(403))
                .as("a permission, not the key: the provider rests, the pool stays")
                .isEqualTo(FailureClass.ACCESS_DENIED);
        assertThat(classify(404)).isEqualTo(FailureClass.MODEL_UNAVAILABLE);
        assertThat(classify(400)).isEqualTo(FailureClass.REQUEST_REJECTED);
        assertThat(classify(422)).isEqualTo(FailureClass.REQUEST_REJECTED);
        assertThat(classify(408)).isEqualTo(FailureClass.UPSTREAM_FAILED);
        assertThat(classify(500)).isEqualTo(FailureClass.UPSTREAM_FAILED);
        assertThat(classify(503)).isEqualTo(FailureClass.UPSTREAM_FAILED);
        assertThat(classifier.classify(UpstreamError.of(UpstreamError.Kind.FIRST_TOKEN_TIMEOUT, "")))
                .isEqualTo(FailureClass.UPSTREAM_FAILED);
        assertThat(FailureClass.RATE_LIMITED.countsAgainstBreaker()).isFalse();
        assertThat(FailureClass.REQUEST_REJECTED.action())
                .as("what one provider refuses, the next may serve")
                .isEqualTo(FailureClass.Action.FAIL_OVER);
        assertThat(FailureClass.ACCESS_DENIED.action()).isEqualTo(FailureClass.Action.PAUSE_PROVIDER);
        assertThat(FailureClass.UPSTREAM_FAILED.countsAgainstBreaker()).isTrue();
    }

    @Test
    void geminiFailedPreconditionIsTheAccountNotTheRequest() {
        String body = WireFixtures.text("gemini/400-failed-precondition.json");
        UpstreamError e = new GeminiAdapter().error(400, Map.<String, String>of()::get, body);
        assertThat(classifier.classify(e)).isEqualTo(FailureClass.ACCESS_DENIED);
    }

    @Test
    void aProvidersWaitIsBoundedAndNonsenseIsIgnored() {
        assertThat(classifier.cooldown(UpstreamError.http(
                        429,
                        null,
                        RetryHints.fromHeaders(Map.of("retry-after", "31536000")::get),
                        UpstreamError.Quota.NONE,
                        "x")))
                .as("a year is capped at the ceiling")
                .isEqualTo(Duration.ofDays(1));
        for (String nonsense : new String[] {"-5", "NaN", "Infinity", "soon", ""}) {
            assertThat(RetryHints.fromHeaders(Map.of("retry-after", nonsense)::get))
                    .as(nonsense)
                    .isNull();
        }
        assertThat(RetryHints.fromHeaders(Map.of("retry-after-ms", "-1", "retry-after", "2")::get))
                .as("a nonsense retry-after-ms falls back to retry-after")
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(classifier.cooldown(UpstreamError.http(429, null, null, UpstreamError.Quota.NONE, "x")))
                .as("no usable hint: the default")
                .isEqualTo(Duration.ofSeconds(30));
    }

    private FailureClass classify(int status) {
        return classifier.classify(UpstreamError.http(status, null, null, UpstreamError.Quota.NONE, "x"));
    }

    @Test
    void retryHintFormats() {
        assertThat(RetryHints.goDuration("2m59.56s")).isEqualTo(Duration.ofMillis(179_560));
        assertThat(RetryHints.goDuration("59.56ms")).isEqualTo(Duration.ofMillis(60));
        assertThat(RetryHints.goDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(RetryHints.fromHeaders(Map.of("retry-after-ms", "1500", "retry-after", "9")::get))
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(RetryHints.fromHeaders(Map.of("retry-after", "1.5")::get)).isEqualTo(Duration.ofMillis(1500));
    }
}
