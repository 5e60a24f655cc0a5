package dev.cortex.routing;

import java.time.Duration;
import java.util.Locale;

/**
 * The one place that decides what an upstream failure means (DESIGN §5). Adapters report facts
 * ({@link UpstreamError}); this table turns them into a {@link FailureClass} and a cool-down.
 */
public final class FailureClassifier {

    private final Duration defaultRateLimitCooldown;
    private final Duration perDayQuotaCooldown;

    public FailureClassifier(Duration defaultRateLimitCooldown, Duration perDayQuotaCooldown) {
        this.defaultRateLimitCooldown = defaultRateLimitCooldown;
        this.perDayQuotaCooldown = perDayQuotaCooldown;
    }

    public FailureClass classify(UpstreamError error) {
        if (error.kind() != UpstreamError.Kind.HTTP_STATUS) {
            return FailureClass.UPSTREAM_FAILED;
        }
        String code = error.code() == null ? "" : error.code().toUpperCase(Locale.ROOT);
        int status = error.status();
        if (code.contains("API_KEY_INVALID") || code.equals("INVALID_API_KEY")) {
            return FailureClass.INVALID_KEY; // Gemini says 400 for a bad key
        }
        return switch (status) {
            case 429 -> error.quota() == UpstreamError.Quota.NONE ? FailureClass.RATE_LIMITED : FailureClass.QUOTA_EXHAUSTED;
            case 401, 403 -> FailureClass.INVALID_KEY;
            case 402 -> FailureClass.QUOTA_EXHAUSTED; // billing limit on this key
            case 404 -> FailureClass.MODEL_UNAVAILABLE;
            case 400, 413, 422 -> FailureClass.REQUEST_REJECTED;
            default -> FailureClass.UPSTREAM_FAILED; // 408, 409, 498, 499, 5xx and anything unexpected
        };
    }

    /** How long a key that failed this way stays out of rotation. */
    public Duration cooldown(UpstreamError error) {
        if (error.quota() == UpstreamError.Quota.PER_DAY) {
            Duration hinted = error.retryAfter();
            return hinted != null && hinted.compareTo(perDayQuotaCooldown) > 0 ? hinted : perDayQuotaCooldown;
        }
        return error.retryAfter() != null ? error.retryAfter() : defaultRateLimitCooldown;
    }
}
