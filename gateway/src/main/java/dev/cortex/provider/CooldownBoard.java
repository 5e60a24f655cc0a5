package dev.cortex.provider;

import java.time.Instant;

/**
 * Where a provider key's cooldown is told to the other replicas of Cortex, so that a rate limit one of them met keeps
 * all of them off that key until it ends. Keys travel as {@linkplain ApiKeys#fingerprint fingerprints}, never as keys.
 * A Cortex on its own has nobody to tell ({@link #NONE}).
 */
public interface CooldownBoard {

    CooldownBoard NONE = (provider, fingerprint, until) -> {};

    /** This replica cooled {@code provider}'s key down until {@code until}. */
    void cooled(String provider, String fingerprint, Instant until);
}
