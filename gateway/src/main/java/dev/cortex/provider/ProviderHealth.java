package dev.cortex.provider;

import java.time.Instant;

/**
 * What the health probes last learned about a provider. Live traffic speaks through the breaker and the key pool;
 * this adds what a probe sees between requests (a provider that is down before anyone asks it).
 */
public final class ProviderHealth {

    private volatile boolean probed;
    private volatile boolean probeOk = true;
    private volatile Instant probedAt;
    private volatile String lastFailure;
    private volatile long probeMillis = -1;
    private volatile String lastCallFailure;

    public void probeSucceeded(long millis) {
        probed = true;
        probeOk = true;
        probeMillis = millis;
        probedAt = Instant.now();
    }

    public void probeFailed(String failure) {
        probed = true;
        probeOk = false;
        lastFailure = failure;
        probedAt = Instant.now();
    }

    /** Live traffic got a whole answer: whatever the last probe said, the provider serves. */
    public void answered() {
        probeOk = true;
    }

    /** A call failed: kept as {@code label (class)} or {@code label after the first token}, never a provider's text. */
    public void callFailed(String failure) {
        lastCallFailure = failure;
    }

    public void clear() {
        probed = false;
        probeOk = true;
        lastFailure = null;
    }

    /** Only a probe that ran and failed says down; no probe yet means no news. */
    public boolean probeSaysDown() {
        return probed && !probeOk;
    }

    public boolean probed() {
        return probed;
    }

    public Instant probedAt() {
        return probedAt;
    }

    public long probeMillis() {
        return probeMillis;
    }

    /** The last failure of a call, as {@code label (class)} — never a provider's text. */
    public String lastCallFailure() {
        return lastCallFailure;
    }

    public String lastProbeFailure() {
        return lastFailure;
    }
}
