package dev.cortex.provider;

import java.time.Instant;

/**
 * Why a provider cannot be tried right now, without calling it.
 *
 * @param reason why it is passed over
 * @param until  when it may be usable again, if known
 * @param news   whether the caller should see it in the attempt trail (a provider with no keys is not news)
 */
public record Availability(SkipReason reason, Instant until, boolean news) {}
