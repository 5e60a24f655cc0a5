package dev.cortex.failure;

import java.time.Instant;

/**
 * Thrown out of a provider's route when it did not answer: the failover load balancer moves on to the next provider,
 * and the circuit breaker counts it only when the failure says something about the provider's health.
 * Carries no key and no upstream text that could echo one.
 */
public class ProviderFailure extends RuntimeException {

    private final String provider;
    private final String label;
    private final FailureClass failureClass;
    private final Instant retryAt;

    public ProviderFailure(String provider, String label, FailureClass failureClass, Instant retryAt) {
        super(provider + ":" + label, null, false, false); // no stack trace: this is routing, not a bug
        this.provider = provider;
        this.label = label;
        this.failureClass = failureClass;
        this.retryAt = retryAt;
    }

    public String provider() {
        return provider;
    }

    public String label() {
        return label;
    }

    /** Null when the provider was skipped without a call (disabled, keys cooling, breaker open). */
    public FailureClass failureClass() {
        return failureClass;
    }

    /** When this provider may be usable again, if known. */
    public Instant retryAt() {
        return retryAt;
    }

    public boolean countsAgainstBreaker() {
        return failureClass != null && failureClass.countsAgainstBreaker();
    }
}
