package dev.cortex.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Prometheus series per gateway key name: requests, tokens and cost by provider and model, and refusals by limit.
 * Names come only from the key file (and {@code master}), never from what a caller sends, so the series stay as few
 * as the keys an operator configured.
 */
public final class KeyUsageMeters {

    private final MeterRegistry registry;
    private final Timer check;

    public KeyUsageMeters(MeterRegistry registry) {
        this.registry = registry;
        // the limit check's own time, as scripts/bench.sh reports it
        this.check = Timer.builder("cortex.limits.check")
                .description("Time to admit or refuse a request against its key's limits")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    public void checked(long nanos) {
        check.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void used(String key, Spend spend) {
        String provider = spend.provider();
        String model = spend.model();
        counter("cortex.key.requests", key, provider, model).increment();
        if (spend.inputTokens() > 0) {
            Counter.builder("cortex.key.tokens")
                    .tags("key", key, "provider", provider, "model", model, "direction", "input")
                    .register(registry)
                    .increment(spend.inputTokens());
        }
        if (spend.outputTokens() > 0) {
            Counter.builder("cortex.key.tokens")
                    .tags("key", key, "provider", provider, "model", model, "direction", "output")
                    .register(registry)
                    .increment(spend.outputTokens());
        }
        if (spend.costMicros() > 0) {
            Counter.builder("cortex.key.cost.usd")
                    .description("Money spent, from the price table")
                    .tags("key", key, "provider", provider, "model", model)
                    .register(registry)
                    .increment(spend.costMicros() / 1e6);
        }
    }

    public void refused(String key, LimitKind kind) {
        Counter.builder("cortex.key.limited")
                .description("Requests refused by a limit of their key")
                .tags("key", key, "limit", kind.label())
                .register(registry)
                .increment();
    }

    private Counter counter(String name, String key, String provider, String model) {
        return Counter.builder(name)
                .tags("key", key, "provider", provider, "model", model)
                .register(registry);
    }
}
