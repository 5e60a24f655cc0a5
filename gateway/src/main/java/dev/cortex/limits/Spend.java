package dev.cortex.limits;

/**
 * What a request used, once it has ended: which provider and model answered (both {@code -} when none did), and the
 * tokens and money the provider's usage report accounts for. A request that broke off mid-stream still spent what it
 * was sent.
 */
public record Spend(String provider, String model, long inputTokens, long outputTokens, long costMicros) {

    /** A request no provider answered: it counts as a request, and spent nothing. */
    public static final String NOBODY = "-";

    public static Spend nothing() {
        return new Spend(NOBODY, NOBODY, 0, 0, 0);
    }

    public long tokens() {
        return inputTokens + outputTokens;
    }
}
