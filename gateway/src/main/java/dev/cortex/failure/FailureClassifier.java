package dev.cortex.failure;

import java.time.Duration;
import java.util.Locale;

/**
 * The one place that decides what an upstream failure means (docs: the failure rules in the README). Adapters report
 * facts ({@link UpstreamError}); this table turns them into a {@link FailureClass} and a cool-down.
 */
public final class FailureClassifier {

    private final Duration defaultRateLimitCooldown;
    private final Duration perDayQuotaCooldown;
    private final Duration longestCooldown;
    private final Duration accessDeniedPause;

    /**
     * @param longestCooldown   the ceiling on any wait a provider asks for (a retry-after of a year is not obeyed)
     * @param accessDeniedPause how long a provider that refused the account (403) is set aside
     */
    public FailureClassifier(
            Duration defaultRateLimitCooldown,
            Duration perDayQuotaCooldown,
            Duration longestCooldown,
            Duration accessDeniedPause) {
        this.defaultRateLimitCooldown = defaultRateLimitCooldown;
        this.perDayQuotaCooldown = perDayQuotaCooldown;
        this.longestCooldown = longestCooldown;
        this.accessDeniedPause = accessDeniedPause;
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
        if (code.equals("FAILED_PRECONDITION")) {
            return FailureClass.ACCESS_DENIED; // Gemini: not in this region, billing needed: true of every request
        }
        return switch (status) {
            case 429 -> error.quota() == UpstreamError.Quota.NONE
                    ? FailureClass.RATE_LIMITED
                    : FailureClass.QUOTA_EXHAUSTED;
            case 401 -> FailureClass.INVALID_KEY; // authentication: the key itself
                // permission: a region, project, organisation or model the account may not use; the key is not the
                // problem (dropping it would empty a pool in one request), so the provider rests instead
            case 403 -> FailureClass.ACCESS_DENIED;
            case 402 -> FailureClass.QUOTA_EXHAUSTED; // billing limit on this key
            case 404 -> FailureClass.MODEL_UNAVAILABLE;
            case 400, 413, 422 -> FailureClass.REQUEST_REJECTED;
            default -> FailureClass.UPSTREAM_FAILED; // 408, 409, 498, 499, 5xx and anything unexpected
        };
    }

    /** How long a key that failed this way stays out of rotation: the provider's hint, within bounds. */
    public Duration cooldown(UpstreamError error) {
        Duration hinted = error.retryAfter();
        Duration wait;
        if (error.quota() == UpstreamError.Quota.PER_DAY) {
            wait = hinted != null && hinted.compareTo(perDayQuotaCooldown) > 0 ? hinted : perDayQuotaCooldown;
        } else {
            wait = hinted != null ? hinted : defaultRateLimitCooldown;
        }
        return wait.compareTo(longestCooldown) > 0 ? longestCooldown : wait;
    }

    /** How long a provider that refused the account is set aside. */
    public Duration accessDeniedPause() {
        return accessDeniedPause;
    }
}
