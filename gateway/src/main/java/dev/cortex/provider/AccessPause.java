package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider set aside after it refused the account (403: a region, project or permission it will not serve): the
 * refusal is the same for every key and every request, so it is not asked again until the pause ends. The keys stay
 * in the pool: nothing says they are wrong.
 */
public final class AccessPause {

    private static final Logger LOG = LoggerFactory.getLogger(AccessPause.class);

    private final String provider;
    private final Clock clock;
    private volatile Instant until = Instant.MIN;

    public AccessPause(String provider, Clock clock) {
        this.provider = provider;
        this.clock = clock;
    }

    public void pause(Duration duration) {
        Instant end = clock.instant().plus(duration);
        if (end.isAfter(until)) {
            if (!active()) {
                LOG.warn(
                        "{} refused access (403 or the like): set aside for {} s; its keys stay in the pool",
                        provider,
                        duration.toSeconds());
            }
            until = end;
        }
    }

    /** When the pause ends; empty when the provider is not paused. */
    public Optional<Instant> until() {
        Instant end = until;
        return end.isAfter(clock.instant()) ? Optional.of(end) : Optional.empty();
    }

    public void clear() {
        until = Instant.MIN;
    }

    private boolean active() {
        return until.isAfter(clock.instant());
    }
}
