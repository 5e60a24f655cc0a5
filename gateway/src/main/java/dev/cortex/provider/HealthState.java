package dev.cortex.provider;

import java.util.Locale;

/** A provider's health as /api/health, the status page and Camel's health check report it. */
public enum HealthState {
    /** Serving, at its best. */
    AVAILABLE,
    /** Serving, but it failed a fair share of recent calls, or its breaker is half-open: strategies try it last. */
    DEGRADED,
    /** Not tried now: breaker open, access denied, keys all resting or bad, or its probe failed. */
    UNAVAILABLE,
    /** Switched off by its settings (a cloud provider without keys). */
    DISABLED;

    /** The word on the wire: {@code available}, {@code degraded}, ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
