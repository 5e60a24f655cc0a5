package dev.cortex;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

import dev.cortex.access.KeyRing;
import dev.cortex.api.KeyLimiter;
import dev.cortex.api.UsageReport;
import dev.cortex.chain.PriceCeiling;
import dev.cortex.limits.EmbeddedLimitStore;
import dev.cortex.limits.KeyLimits;
import dev.cortex.limits.KeyUsageMeters;
import dev.cortex.limits.LimitStore;
import dev.cortex.limits.RedisLimitStore;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.provider.RedisCooldownBoard;

/**
 * Wires the keys' limits: the store (embedded under {@code data/}, or Redis with {@code CORTEX_REDIS_URL}), the chat
 * doors' {@code keyLimits} step and the {@code usageReport} behind {@code GET /api/usage}.
 */
final class LimitsWiring {

    private LimitsWiring() {}

    static LimitStore wire(
            CamelContext context,
            Settings s,
            ProviderRegistry providers,
            KeyRing keys,
            Vertx vertx,
            MeterRegistry meters)
            throws Exception {
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();
        LimitStore store = store(s, vertx, clock);
        context.addService(new Closer(store));
        String redis = s.string("cortex.redis.url");
        if (!redis.isEmpty()) {
            // a rate limit one replica met keeps every replica off that provider key until it ends
            RedisCooldownBoard board = new RedisCooldownBoard(
                    vertx, redis, s.string("cortex.redis.key-prefix"), (provider, fingerprint, until) -> providers
                            .get(provider)
                            .ifPresent(p -> p.keys().cooledElsewhere(fingerprint, until)));
            context.addService(new Closer(board));
            providers.all().forEach(p -> p.keys().shareCooldowns(board));
        }
        KeyLimits defaults = defaults(s);
        KeyUsageMeters usageMeters = new KeyUsageMeters(meters);
        meters.gauge("cortex.limits.store.healthy", store, st -> st.healthy() ? 1 : 0);
        registry.bind("limitStore", store);
        registry.bind(
                "keyLimits",
                new KeyLimiter(
                        store,
                        new PriceCeiling(providers),
                        providers,
                        defaults,
                        s.integer("cortex.limits.default-completion-tokens"),
                        usageMeters,
                        vertx,
                        clock));
        registry.bind("usageReport", new UsageReport(store, keys, defaults, clock));
        return store;
    }

    private static LimitStore store(Settings s, Vertx vertx, Clock clock) {
        String redis = s.string("cortex.redis.url");
        int retention = s.integer("cortex.limits.usage-retention-days");
        if (!redis.isEmpty()) {
            String fallback = s.string("cortex.limits.when-store-unreachable");
            RedisLimitStore.WhenUnreachable whenUnreachable;
            try {
                whenUnreachable = RedisLimitStore.WhenUnreachable.valueOf(fallback.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Setting 'cortex.limits.when-store-unreachable' must be local, allow"
                        + " or refuse, not '" + fallback + "'");
            }
            return new RedisLimitStore(
                    vertx,
                    redis,
                    s.string("cortex.redis.key-prefix"),
                    s.millis("cortex.redis.timeout-ms"),
                    whenUnreachable,
                    retention);
        }
        return new EmbeddedLimitStore(Path.of(s.string("cortex.limits.data-dir")), retention, clock.instant());
    }

    /** {@code cortex.limits.default-*}: empty is no limit. */
    static KeyLimits defaults(Settings s) {
        return new KeyLimits(
                count(s, "cortex.limits.default-requests-per-minute"),
                count(s, "cortex.limits.default-tokens-per-minute"),
                money(s, "cortex.limits.default-budget-per-day"),
                money(s, "cortex.limits.default-budget-per-month"));
    }

    private static long count(Settings s, String key) {
        String text = s.string(key);
        if (text.isEmpty()) {
            return KeyLimits.NONE;
        }
        long value = s.integer(key);
        if (value <= 0) {
            throw new IllegalStateException("Setting '" + key + "' must be a positive whole number, or empty");
        }
        return value;
    }

    private static long money(Settings s, String key) {
        String text = s.string(key);
        if (text.isEmpty()) {
            return KeyLimits.NONE;
        }
        try {
            return KeyLimits.micros(new BigDecimal(text));
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Setting '" + key + "' must be US dollars such as 5 or 2.50, or empty; got '" + text + "'");
        }
    }
}
