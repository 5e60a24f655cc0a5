package dev.cortex.failure;

import dev.cortex.limits.Decision;
import dev.cortex.limits.KeyLimits;
import dev.cortex.limits.LimitKind;

/**
 * A gateway key is over one of its limits: 429, before any provider is asked. Over a per-minute limit the caller may
 * retry after {@link Decision#retryAfterMillis()}; over a budget, not before the day or month ends. The message names
 * the key and the limit, never the key itself.
 */
public final class LimitExceededException extends RuntimeException {

    private final String keyName;
    private final KeyLimits limits;
    private final Decision decision;

    public LimitExceededException(String keyName, KeyLimits limits, Decision decision) {
        super(message(keyName, limits, decision), null, false, false);
        this.keyName = keyName;
        this.limits = limits;
        this.decision = decision;
    }

    public String keyName() {
        return keyName;
    }

    public Decision decision() {
        return decision;
    }

    public LimitKind kind() {
        return decision.refusedBy();
    }

    /** OpenAI's codes: {@code rate_limit_exceeded}, or {@code budget_exceeded} in the shape of insufficient_quota. */
    public String code() {
        return kind().isBudget() ? "budget_exceeded" : "rate_limit_exceeded";
    }

    /** OpenAI's error type: {@code requests}, {@code tokens} or {@code insufficient_quota}. */
    public String type() {
        return switch (kind()) {
            case REQUESTS -> "requests";
            case TOKENS -> "tokens";
            case DAY_BUDGET, MONTH_BUDGET -> "insufficient_quota";
        };
    }

    /** Whether waiting helps soon: not for a budget (hours away) nor for a request too large for any minute. */
    public boolean worthRetrying() {
        return !kind().isBudget() && decision.retryAfterMillis() >= 0;
    }

    private static String message(String keyName, KeyLimits limits, Decision decision) {
        long wait = decision.retryAfterMillis();
        String key = "Key '" + keyName + "'";
        return switch (decision.refusedBy()) {
            case REQUESTS -> key + " is over its limit of " + limits.requestsPerMinute()
                    + " requests per minute. Please try again in " + seconds(wait) + ".";
            case TOKENS -> wait < 0
                    ? "This request may use more tokens (its prompt plus max_tokens) than key '" + keyName
                            + "' may use in a minute (" + limits.tokensPerMinute()
                            + "). Shorten the prompt or lower max_tokens."
                    : key + " is over its limit of " + limits.tokensPerMinute()
                            + " tokens per minute. Please try again in " + seconds(wait) + ".";
            case DAY_BUDGET -> key + " has spent its budget of $" + KeyLimits.dollars(limits.dayBudgetMicros())
                    + " for today (UTC); it renews in " + seconds(wait)
                    + ". Requests that cost nothing (local models) are still served.";
            case MONTH_BUDGET -> key + " has spent its budget of $"
                    + KeyLimits.dollars(limits.monthBudgetMicros()) + " for this month (UTC); it renews in "
                    + seconds(wait) + ". Requests that cost nothing (local models) are still served.";
        };
    }

    private static String seconds(long millis) {
        long s = (millis + 999) / 1000;
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        return (s / 3600) + " h";
    }
}
