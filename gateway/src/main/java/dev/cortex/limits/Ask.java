package dev.cortex.limits;

/**
 * What a request asks of its key's limits before it goes to any provider: one request, and an estimate of its tokens
 * (the prompt's size plus the most it may answer) and of its cost (at the dearest price it may meet). The estimate is
 * reserved, and corrected when the providers' usage reports come back.
 */
public record Ask(String key, KeyLimits limits, long tokens, long costMicros) {

    public Ask {
        if (tokens < 0 || costMicros < 0) {
            throw new IllegalArgumentException("an estimate cannot be negative");
        }
    }
}
