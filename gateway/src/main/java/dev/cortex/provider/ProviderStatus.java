package dev.cortex.provider;

import java.time.Instant;
import java.util.Optional;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * A provider's standing, read from what others keep (its keys, breaker, access pause and probes) without calling
 * it: can it be tried now, and how healthy is it.
 */
public final class ProviderStatus {

    private final boolean needsKey;
    private final KeyPool keys;
    private final WholeAnswerBreaker breaker;
    private final AccessPause pause;
    private final ProviderHealth health;

    ProviderStatus(
            boolean needsKey, KeyPool keys, WholeAnswerBreaker breaker, AccessPause pause, ProviderHealth health) {
        this.needsKey = needsKey;
        this.keys = keys;
        this.breaker = breaker;
        this.pause = pause;
        this.health = health;
    }

    /** A cloud provider without keys is switched off, not an error. */
    public boolean enabled() {
        return !needsKey || !keys.isEmpty();
    }

    /** Why this provider cannot be tried now (no call is made to find out), or empty when it can. */
    public Optional<Availability> unavailable() {
        if (!enabled()) {
            return Optional.of(new Availability(SkipReason.DISABLED, null, false));
        }
        CircuitBreaker.State state = breaker.getState();
        if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
            return Optional.of(new Availability(
                    SkipReason.BREAKER_OPEN, breaker.openUntil().orElse(null), true));
        }
        Optional<Instant> paused = pause.until();
        if (paused.isPresent()) {
            return Optional.of(new Availability(SkipReason.ACCESS_DENIED, paused.get(), true));
        }
        KeyPool.Counts counts = keys.counts();
        if (counts.usable() + counts.cooling() == 0) {
            return Optional.of(new Availability(SkipReason.NO_VALID_KEY, null, true));
        }
        Optional<Instant> recovery = keys.earliestRecovery();
        if (recovery.isPresent()) {
            return Optional.of(new Availability(SkipReason.COOLING, recovery.get(), true));
        }
        if (health.probeSaysDown()) {
            return Optional.of(new Availability(SkipReason.UNHEALTHY, null, true));
        }
        return Optional.empty();
    }

    /**
     * Usable, but not at its best: it failed a fair share of recent calls, though not enough to open its breaker.
     * Strategies try it last. A half-open breaker keeps its place, so that its probe call happens (the breaker itself
     * turns away the calls beyond the probe), and a resting key is no sign of ill health while others serve.
     */
    public boolean degraded() {
        if (breaker.getState() != CircuitBreaker.State.CLOSED) {
            return false;
        }
        float failureRate = breaker.getMetrics().getFailureRate(); // -1 until enough calls were seen
        return failureRate >= breaker.getCircuitBreakerConfig().getFailureRateThreshold() / 2;
    }

    public HealthState healthState() {
        if (!enabled()) {
            return HealthState.DISABLED;
        }
        if (unavailable().isPresent()) {
            return HealthState.UNAVAILABLE;
        }
        return degraded() || breaker.getState() == CircuitBreaker.State.HALF_OPEN
                ? HealthState.DEGRADED
                : HealthState.AVAILABLE;
    }
}
