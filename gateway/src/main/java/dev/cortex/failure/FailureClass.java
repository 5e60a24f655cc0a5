package dev.cortex.failure;

/**
 * What an upstream failure means for routing. Each class names the one thing Cortex does about it, and whether it
 * says anything about the provider's health (only those count against its circuit breaker). Every class hands the
 * request on to the next provider: what one provider refuses, another may serve. Only when every provider of a
 * request refused it does the caller hear of it (chain/ChainVerdict).
 */
public enum FailureClass {
    /** 429 inside a short window: cool that key for the hinted time, try another key, else the next provider. */
    RATE_LIMITED(Action.COOL_KEY, false),
    /** Quota used up (per minute or per day): cool that key until the quota refills. */
    QUOTA_EXHAUSTED(Action.COOL_KEY, false),
    /** The key itself failed authentication (401, Gemini's API_KEY_INVALID): take it out of the pool. */
    INVALID_KEY(Action.DROP_KEY, false),
    /**
     * The provider refuses this account rather than this key or this request (403: region, project, permission;
     * Gemini's FAILED_PRECONDITION): set the provider aside for a while; its keys stay.
     */
    ACCESS_DENIED(Action.PAUSE_PROVIDER, false),
    /** This provider does not serve the model: another one may. */
    MODEL_UNAVAILABLE(Action.FAIL_OVER, false),
    /** This provider refused the request itself (400/413/422: a limit of its own, a context too long): another may not. */
    REQUEST_REJECTED(Action.FAIL_OVER, false),
    /** 5xx, 408, refused or reset connection, timeout, broken stream: the provider is unwell. */
    UPSTREAM_FAILED(Action.FAIL_OVER, true);

    public enum Action {
        /** Rest this key for the hinted time; another key of the same provider may try at once. */
        COOL_KEY,
        /** Take this key out of the pool; another key of the same provider may try at once. */
        DROP_KEY,
        /** Set the whole provider aside for a while, then the next provider. */
        PAUSE_PROVIDER,
        /** The next provider. */
        FAIL_OVER
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

    /** The provider turned down this request (as opposed to being unable to serve anyone right now). */
    public boolean refusesRequest() {
        return this == REQUEST_REJECTED || this == MODEL_UNAVAILABLE;
    }
}
