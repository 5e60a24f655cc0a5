package dev.cortex.routing;

/**
 * What an upstream failure means for routing. Each class names the one thing Cortex does about it, and whether it
 * says anything about the provider's health (only those count against its circuit breaker).
 */
public enum FailureClass {
    /** 429 inside a short window: cool that key for the hinted time, try another key, else the next provider. */
    RATE_LIMITED(Action.COOL_KEY, false),
    /** Quota used up (per minute or per day): cool that key until the quota refills. */
    QUOTA_EXHAUSTED(Action.COOL_KEY, false),
    /** The key is wrong, revoked or not allowed: take it out of the pool. */
    INVALID_KEY(Action.DROP_KEY, false),
    /** This provider does not serve the model: another one may. */
    MODEL_UNAVAILABLE(Action.FAIL_OVER, false),
    /** The request itself is wrong and would fail everywhere: the caller gets the error. */
    REQUEST_REJECTED(Action.RETURN_TO_CLIENT, false),
    /** 5xx, 408, refused or reset connection, timeout, broken stream: the provider is unwell. */
    UPSTREAM_FAILED(Action.FAIL_OVER, true);

    public enum Action {
        COOL_KEY, DROP_KEY, FAIL_OVER, RETURN_TO_CLIENT
    }

    private final Action action;
    private final boolean countsAgainstBreaker;

    FailureClass(Action action, boolean countsAgainstBreaker) {
        this.action = action;
        this.countsAgainstBreaker = countsAgainstBreaker;
    }

    public Action action() {
        return action;
    }

    public boolean countsAgainstBreaker() {
        return countsAgainstBreaker;
    }
}
