package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

import dev.cortex.chat.Usage;
import dev.cortex.failure.FailureClass;

/**
 * One provider's meters for Prometheus. Labels are the provider's name and words from closed sets (trail labels,
 * failure classes): never a key, a model's answer or a prompt.
 */
public final class ProviderMetrics {

    private final MeterRegistry registry;
    private final String provider;
    private final Timer firstToken;
    private final Timer answer;
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final Counter billedIn;
    private final Counter billedOut;
    private final RecentFailures recentFailures = new RecentFailures(Clock.systemUTC());

    public ProviderMetrics(MeterRegistry registry, String provider) {
        this.registry = registry;
        this.provider = provider;
        this.firstToken = Timer.builder("cortex.provider.first.token")
                .description("Time to the first content token")
                .tag("provider", provider)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
        this.answer = Timer.builder("cortex.provider.answer")
                .description("Whole answers, from request to last token")
                .tag("provider", provider)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        this.tokensIn = Counter.builder("cortex.provider.tokens")
                .tag("provider", provider)
                .tag("direction", "in")
                .description("Prompt tokens the provider reported")
                .register(registry);
        this.tokensOut = Counter.builder("cortex.provider.tokens")
                .tag("provider", provider)
                .tag("direction", "out")
                .description("Completion tokens the provider reported")
                .register(registry);
        this.billedIn = Counter.builder("cortex.provider.billed.tokens")
                .tag("provider", provider)
                .tag("direction", "in")
                .description("Prompt tokens the provider bills (Cohere's billed_units; else as reported)")
                .register(registry);
        this.billedOut = Counter.builder("cortex.provider.billed.tokens")
                .tag("provider", provider)
                .tag("direction", "out")
                .description("Completion tokens the provider bills")
                .register(registry);
    }

    /**
     * Meters that read the provider's state when scraped. Its breaker's meters ({@code resilience4j_circuitbreaker_*},
     * tagged with the provider's name) come from resilience4j's own Micrometer module (see ProviderWiring).
     */
    void watch(KeyPool keys, Bulkhead bulkhead) {
        gauge("cortex.provider.keys.usable", "Keys usable now", () -> keys.counts()
                .usable());
        gauge("cortex.provider.keys.cooling", "Keys resting after a rate limit", () -> keys.counts()
                .cooling());
        gauge("cortex.provider.in.flight", "Requests and streams this provider is serving now", bulkhead::inUse);
    }

    /** The first-token clock of one model that adapts to measured times, read when scraped. */
    void firstTokenTimeout(String model, Supplier<Duration> clock) {
        TimeGauge.builder("cortex.provider.first.token.timeout", clock, TimeUnit.MILLISECONDS, c -> c.get()
                        .toMillis())
                .description("The first-token timeout in force for the model's next call (adaptive)")
                .tag("provider", provider)
                .tag("model", model)
                .register(registry);
    }

    private void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value)
                .description(description)
                .tag("provider", provider)
                .register(registry);
    }

    void firstToken(long millis) {
        firstToken.record(Duration.ofMillis(millis));
    }

    /** A whole answer: its time on the provider's clock, its tokens. */
    void answered(long millis, Usage usage) {
        answer.record(Duration.ofMillis(millis));
        tokens(usage);
        attempts("ok");
    }

    /** A stream that broke after its first token: a failure of the provider, with what it sent until then. */
    void broken(String label, FailureClass failure, Usage usage) {
        tokens(usage);
        failed(label, failure);
    }

    /**
     * The caller hung up or stopped reading: counted apart from the provider's attempts and failures, since the
     * provider did nothing wrong.
     */
    void clientLeft(CallEvents.End how) {
        registry.counter(
                        "cortex.client.aborts",
                        "provider",
                        provider,
                        "reason",
                        how == CallEvents.End.CLIENT_TOO_SLOW ? "too_slow" : "gone")
                .increment();
    }

    void tokens(Usage usage) {
        Usage u = usage == null ? Usage.NONE : usage;
        tokensIn.increment(u.promptTokens());
        tokensOut.increment(u.completionTokens());
        billedIn.increment(u.billedPromptTokens());
        billedOut.increment(u.billedCompletionTokens());
    }

    /** A call that failed: counted by its trail label and its class (these are the fall-overs). */
    void failed(String label, FailureClass failure) {
        attempts(label);
        recentFailures.record(failure);
        registry.counter(
                        "cortex.provider.failures",
                        "provider",
                        provider,
                        "class",
                        failure.name().toLowerCase(Locale.ROOT))
                .increment();
    }

    /** Failures by class over the last few minutes, for the status page. */
    public RecentFailures recentFailures() {
        return recentFailures;
    }

    /** The provider was passed over without a call. */
    void skipped(String reason) {
        registry.counter("cortex.provider.skips", "provider", provider, "reason", reason)
                .increment();
    }

    private void attempts(String outcome) {
        registry.counter("cortex.provider.attempts", "provider", provider, "outcome", outcome)
                .increment();
    }
}
