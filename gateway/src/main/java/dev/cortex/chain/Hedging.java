package dev.cortex.chain;

import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

import dev.cortex.provider.ProviderRegistry;

/**
 * When a request is hedged. For requests routed by one of the chosen strategies, a provider that has not produced a
 * first token by its usual time (a high percentile of its recent first tokens) is joined by the next provider of the
 * plan; the first of the two to produce a token answers, the other is cancelled ({@link
 * dev.cortex.chat.FirstTokenRace}). A slow call then costs the caller the percentile plus the next provider's time,
 * not the slow provider's whole tail; the price is at most one extra call per request, and only for the requests
 * already in the tail. A pinned request is never hedged: its plan has no next provider.
 *
 * <p>{@code cortex_hedges_total{provider}} counts the extra calls (by the provider that was late), {@code
 * cortex_hedges_won_total{provider}} the hedges that answered first.
 */
public final class Hedging {

    /**
     * The {@code cortex.hedging.*} settings.
     *
     * @param strategies the strategies whose requests are hedged (wire names: {@code speed_first}); none: never
     * @param percentile of the provider's recent first tokens, 1 to 100: how late counts as late
     * @param minSamples first tokens the provider must have given before its requests are hedged
     * @param minDelay   the earliest a hedge may start, however fast the provider usually is: below it, the extra
     *                   call costs more than the wait it could save
     */
    public record Settings(Set<String> strategies, double percentile, int minSamples, Duration minDelay) {

        public Settings {
            strategies = Set.copyOf(strategies);
            if (percentile <= 0 || percentile > 100) {
                throw new IllegalStateException("Setting 'cortex.hedging.percentile' must be between 0 and 100");
            }
        }
    }

    private final Settings settings;
    private final ProviderRegistry providers;
    private final Vertx vertx;
    private final MeterRegistry meters;

    public Hedging(Settings settings, ProviderRegistry providers, Vertx vertx, MeterRegistry meters) {
        this.settings = settings;
        this.providers = providers;
        this.vertx = vertx;
        this.meters = meters;
    }

    /**
     * How long a call to {@code provider} may go without a first token before the next provider is asked too; empty
     * when this request is not to be hedged (its strategy is not one of the chosen, or the provider is not measured
     * enough yet).
     */
    OptionalLong delayMillis(RoutePlan plan, String provider) {
        if (!settings.strategies().contains(plan.strategy())) {
            return OptionalLong.empty();
        }
        long[] recent = providers
                .get(provider)
                .map(p -> p.firstTokenLatency().recentMillis())
                .orElse(new long[0]);
        if (recent.length < settings.minSamples() || recent.length == 0) {
            return OptionalLong.empty();
        }
        Arrays.sort(recent);
        int rank = (int) Math.ceil(settings.percentile() / 100 * recent.length); // nearest rank
        long usual = recent[Math.max(0, Math.min(recent.length, rank) - 1)];
        return OptionalLong.of(Math.max(settings.minDelay().toMillis(), usual));
    }

    /** Runs {@code fire} after {@code millis}, on an event loop; returns the timer, for {@link #cancel}. */
    long schedule(long millis, Runnable fire) {
        return vertx.setTimer(Math.max(1, millis), id -> fire.run());
    }

    void cancel(long timer) {
        vertx.cancelTimer(timer);
    }

    /** {@code late} has given no first token in time: the next provider is asked too. */
    void started(String late) {
        counter("cortex.hedges", "extra provider calls made because the provider asked first was late", late)
                .increment();
    }

    /** The hedge's call answered first. */
    void won(String late) {
        counter("cortex.hedges.won", "hedges whose call answered before the late provider's", late)
                .increment();
    }

    private Counter counter(String name, String description, String provider) {
        return Counter.builder(name)
                .description(description)
                .tag("provider", provider)
                .register(meters);
    }
}
