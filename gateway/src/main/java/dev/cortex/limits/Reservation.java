package dev.cortex.limits;

import java.time.Instant;

/**
 * What an admitted request holds until it ends: the tokens and money it reserved, and when (the day and month its
 * spend is counted in). {@link LimitStore#settle} replaces the estimate by what was used.
 */
public record Reservation(String key, KeyLimits limits, long tokens, long costMicros, Instant at) {}
