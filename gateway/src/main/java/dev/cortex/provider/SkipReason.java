package dev.cortex.provider;

import java.util.Locale;

/** Why a provider is passed over without a call (docs/failure-rules.md). */
public enum SkipReason {
    /** No keys configured: switched off, which is not news to anyone. */
    DISABLED,
    /** Its circuit breaker is open. */
    BREAKER_OPEN,
    /** It refused the account itself (403, region, permission): set aside for a while, keys kept. */
    ACCESS_DENIED,
    /** Every key it had was refused as invalid. */
    NO_VALID_KEY,
    /** Every key rests after a rate limit or quota. */
    COOLING,
    /** Its last health probe failed. */
    UNHEALTHY;

    /** The word in the attempt trail, the route explanation and the metrics: {@code breaker_open}, ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
