package dev.cortex.api;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import dev.cortex.provider.HealthState;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;

/**
 * The same verdict as {@code /api/health}, for Camel's own {@code /observe/health} and {@code /observe/health/ready}: UP
 * while at least one provider can serve, with each provider's health as detail. Readiness only (Camel's default for a
 * check): {@code /observe/health/live}, which the Docker images' health check asks, stays UP while every provider is
 * down, so an outage upstream does not get a working gateway restarted.
 */
public final class ProvidersHealthCheck extends AbstractHealthCheck {

    private final ProviderRegistry providers;

    public ProvidersHealthCheck(ProviderRegistry providers) {
        super("cortex", "providers");
        this.providers = providers;
    }

    /** Readiness only, whatever Camel's default for a check becomes (see above). */
    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        boolean anyServing = false;
        for (Provider p : providers.all()) {
            HealthState health = p.status().healthState();
            builder.detail(p.name(), health.word());
            anyServing |= health == HealthState.AVAILABLE || health == HealthState.DEGRADED;
        }
        if (anyServing) {
            builder.up();
        } else {
            builder.message("No provider can serve").down();
        }
    }
}
