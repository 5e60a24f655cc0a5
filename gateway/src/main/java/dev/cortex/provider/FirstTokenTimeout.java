package dev.cortex.provider;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * One provider's first-token clock, per model. The configured {@code timeout.first-token-ms} is a ceiling sized for
 * the slowest answer the provider may ever give; a provider that accepted the request and then says nothing would
 * hold the caller that long before the next provider is tried. When adaptive, the clock follows what the provider
 * has shown: a high percentile of its recent successful first tokens for that model, times a factor, clamped between
 * a floor and the ceiling, so a silent provider is left as soon as it is clearly late.
 *
 * <p>Only first tokens that arrived are samples: a call that timed out says nothing about how long an answer takes
 * (and must not pull the percentile down), and a caller who left before the first token never produced one. Until a
 * model has {@code minSamples} samples, the ceiling holds.
 *
 * <p>A provider that has merely grown slower would otherwise be cut on every call and never give a sample again: so
 * each first-token timeout under a shortened clock doubles the next call's clock (up to the ceiling), until a first
 * token arrives and its time joins the window. Thread-safe: the chain's threads read, the event loops record.
 */
public final class FirstTokenTimeout {

    /**
     * The {@code cortex.timeouts.adaptive.*} settings, shared by every provider that has not opted out.
     *
     * @param percentile of the recent first tokens, 1 to 100 (99: one slow answer in a hundred is still normal)
     * @param factor     how far past that percentile a first token may come before the provider counts as late
     * @param floor      the shortest clock adaptation may set: network jitter and a provider's own hiccups fit in it
     * @param minSamples first tokens of one model needed before its clock adapts
     * @param window     how many recent first tokens of one model the percentile is taken over
     */
    public record Settings(
            boolean enabled, double percentile, double factor, Duration floor, int minSamples, int window) {

        /** No adaptation: the configured first-token timeout always holds. */
        public static final Settings OFF = new Settings(false, 99, 1, Duration.ZERO, 1, 1);

        public Settings {
            if (enabled) {
                require(percentile > 0 && percentile <= 100, "percentile", "between 0 (excluded) and 100");
                require(factor >= 1, "factor", "at least 1");
                require(!floor.isNegative(), "floor-ms", "zero or more");
                require(minSamples >= 1, "min-samples", "at least 1");
                require(window >= minSamples, "window", "at least min-samples");
            }
        }

        private static void require(boolean ok, String setting, String what) {
            if (!ok) {
                throw new IllegalStateException("Setting 'cortex.timeouts.adaptive." + setting + "' must be " + what);
            }
        }
    }

    /** What the status shows of one model's clock. */
    public record View(long effectiveMillis, int samples) {}

    /**
     * Models tracked at most per provider. A caller may name any {@code provider/model}, but only a model the
     * provider answered gets a window: this bounds memory and the gauge's labels should a provider answer many.
     */
    static final int MAX_MODELS = 64;

    /** Cuts in a row past which the clock is back at the ceiling whatever the base (2^6 = 64 times the base). */
    private static final int MAX_DOUBLINGS = 6;

    private final Duration ceiling;
    private final Settings settings;
    private final BiConsumer<String, Supplier<Duration>> tracking;
    private final Map<String, Window> models = new ConcurrentHashMap<>();

    /**
     * @param ceiling  the configured first-token timeout
     * @param settings {@link Settings#OFF} for a provider that opted out
     * @param tracking told once of each model that gets a window, with its clock (a gauge is registered for it)
     */
    public FirstTokenTimeout(Duration ceiling, Settings settings, BiConsumer<String, Supplier<Duration>> tracking) {
        this.ceiling = ceiling;
        this.settings = settings;
        this.tracking = tracking;
    }

    public boolean adaptive() {
        return settings.enabled();
    }

    /** The configured first-token timeout: the clock until there are samples enough, and never exceeded. */
    public Duration configured() {
        return ceiling;
    }

    /** The first-token clock for the next call of {@code model}. */
    public Duration current(String model) {
        Window w = model == null ? null : models.get(model);
        return w == null ? ceiling : Duration.ofMillis(w.effectiveMillis);
    }

    /** A first token of {@code model} arrived after {@code millis}: a sample, and the end of any run of cuts. */
    public void answered(String model, long millis) {
        if (!settings.enabled() || model == null) {
            return;
        }
        Window w = models.get(model);
        if (w == null) {
            if (models.size() >= MAX_MODELS) {
                return; // the configured clock holds for a model past the bound
            }
            w = models.computeIfAbsent(model, m -> {
                tracking.accept(m, () -> current(m)); // once per model: only the thread that adds it runs this
                return new Window();
            });
        }
        w.add(millis);
    }

    /**
     * A call of {@code model} got no first token within {@code used}. Not a sample; but when the clock was shortened
     * below the ceiling, the next call gets twice as long, so a provider that grew slower is heard again. Calls
     * started together that time out together count once: only a cut at the clock now in force moves it.
     */
    public void timedOut(String model, Duration used) {
        Window w = model == null ? null : models.get(model);
        if (w != null && used.compareTo(ceiling) < 0) {
            w.cut(used.toMillis());
        }
    }

    /** Every tracked model's clock now, by name. */
    public Map<String, View> snapshot() {
        Map<String, View> out = new TreeMap<>();
        models.forEach((model, w) -> out.put(model, w.view()));
        return out;
    }

    /** One model's recent first tokens, a ring of fixed size, and the clock they set. */
    private final class Window {
        private final long[] samples = new long[settings.window()];
        private long count;
        private int cuts;
        private long base = ceiling.toMillis();
        /** Read without the lock on every call; written under it. */
        private volatile long effectiveMillis = ceiling.toMillis();

        synchronized void add(long millis) {
            samples[(int) (count % samples.length)] = millis;
            count++;
            cuts = 0;
            if (count >= settings.minSamples()) {
                base = clamp(Math.round(percentile() * settings.factor()));
            }
            effectiveMillis = base;
        }

        synchronized void cut(long usedMillis) {
            if (usedMillis >= effectiveMillis && cuts < MAX_DOUBLINGS) {
                cuts++;
                effectiveMillis = Math.min(ceiling.toMillis(), base << cuts);
            }
        }

        synchronized View view() {
            return new View(effectiveMillis, (int) Math.min(count, samples.length));
        }

        /** Nearest rank: the smallest sample at or above which {@code percentile}% of the window lies. */
        private long percentile() {
            int n = (int) Math.min(count, samples.length);
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(settings.percentile() / 100 * n);
            return sorted[Math.max(0, Math.min(n, rank) - 1)];
        }

        private long clamp(long millis) {
            return Math.min(ceiling.toMillis(), Math.max(settings.floor().toMillis(), millis));
        }
    }
}
