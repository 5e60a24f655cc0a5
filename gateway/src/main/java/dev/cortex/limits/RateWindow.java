package dev.cortex.limits;

/**
 * One per-minute limit as a caller sees it, for the {@code x-ratelimit-*} headers the OpenAI SDKs read: the limit, what
 * is left of it now, and how long until it is whole again.
 *
 * @param limit       the limit per minute; {@link KeyLimits#NONE} when the key has none (no headers then)
 * @param remaining   what may still be used now (never below 0)
 * @param resetMillis until the whole limit is available again
 */
public record RateWindow(long limit, long remaining, long resetMillis) {

    public static final RateWindow NONE = new RateWindow(KeyLimits.NONE, 0, 0);

    public boolean limited() {
        return limit != KeyLimits.NONE;
    }
}
