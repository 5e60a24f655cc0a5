package dev.cortex.provider;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.CompletionCause;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.failure.ProviderFailure;

/**
 * One provider as the chain sees it. Its route (the {@code provider} template in routes/providers.camel.yaml) calls
 * {@link #admit} (can it be tried at all, without calling it?) and then, inside the circuit breaker, {@link #call}
 * (try it, moving through its keys). The parts each do one job: {@link ProviderStatus} says whether it can be tried
 * and how healthy it is, {@link KeyRotation} moves through its keys, {@link CallAttempt} makes one call with one key,
 * {@link ProviderProbe} checks it between requests.
 */
public final class Provider {

    private final ProviderSettings settings;
    private final KeyPool keys;
    private final ModelSource models;
    private final WholeAnswerBreaker breaker;
    private final Bulkhead bulkhead;
    private final ProviderMetrics metrics;
    private final Latency firstToken = new Latency();
    private final ProviderHealth health = new ProviderHealth();
    private final AccessPause pause;
    private final ProviderStatus status;
    private final KeyRotation rotation;
    private final CallAttempt callAttempt;
    private final ProviderProbe probe;
    private final FirstTokenTimeout firstTokenTimeout;
    private final CallReport.Sinks reports;

    public Provider(
            ProviderSettings settings,
            Upstream upstream,
            KeyPool keys,
            ModelSource models,
            WholeAnswerBreaker breaker,
            FailureClassifier classifier,
            Bulkhead bulkhead,
            ProviderMetrics metrics,
            FirstTokenTimeout.Settings adaptive) {
        String name = settings.name();
        this.settings = settings;
        this.keys = keys;
        this.models = models;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
        this.metrics = metrics;
        this.pause = new AccessPause(name, Clock.systemUTC());
        this.status = new ProviderStatus(settings.needsKey(), keys, breaker, pause, health);
        this.rotation = new KeyRotation(name, keys, settings.needsKey(), classifier, pause, health, metrics);
        this.firstTokenTimeout = new FirstTokenTimeout(
                upstream.timeouts().firstToken(),
                settings.adaptiveFirstToken() ? adaptive : FirstTokenTimeout.Settings.OFF,
                metrics::firstTokenTimeout);
        this.callAttempt = new CallAttempt(name, upstream, metrics, firstTokenTimeout);
        this.probe = new ProviderProbe(upstream, keys, status, health, firstToken, classifier, pause);
        this.reports = new CallReport.Sinks(name, firstToken, firstTokenTimeout, metrics, health, breaker, classifier);
        metrics.watch(keys, bulkhead);
    }

    public String name() {
        return settings.name();
    }

    public ProviderSettings settings() {
        return settings;
    }

    public boolean enabled() {
        return status.enabled();
    }

    public WholeAnswerBreaker breaker() {
        return breaker;
    }

    public KeyPool keys() {
        return keys;
    }

    public ModelSource models() {
        return models;
    }

    public ProviderHealth health() {
        return health;
    }

    public ProviderStatus status() {
        return status;
    }

    public Bulkhead bulkhead() {
        return bulkhead;
    }

    /** Time to first token, from live traffic and probes. */
    public Latency firstTokenLatency() {
        return firstToken;
    }

    /** The first-token clock per model: the configured one, or adapted to measured times. */
    public FirstTokenTimeout firstTokenTimeout() {
        return firstTokenTimeout;
    }

    /** This provider's failures by class over the last few minutes. */
    public RecentFailures recentFailures() {
        return metrics.recentFailures();
    }

    /** Back to a clean slate: breaker closed, every key usable, no probe verdict (after an outage is fixed). */
    public void restore() {
        breaker.reset();
        keys.restore();
        health.clear();
        pause.clear();
    }

    /**
     * Which of this provider's models would serve the request, or why none can ({@code no tools}, {@code context too
     * small}, {@code other embedding model}, ...): the plan and {@link #admit} ask the same question.
     */
    public ModelChoice choose(ModelDemand demand) {
        if (demand.needs().embeddings()) {
            String fixed = demand.requestedAt(name());
            if (fixed == null) {
                return ModelChoice.none(Capabilities.OTHER_EMBEDDING_MODEL);
            }
            return models.choose(fixed, demand.needs());
        }
        return models.choose(demand.requested(), demand.needs());
    }

    /**
     * Turns the provider away before any upstream call when it cannot answer; otherwise enters it in the request's
     * trail, to be closed by {@link #call} or, if the breaker rejects the call, as rejected. A provider none of whose
     * models can do what the request needs is passed over first: that is the request's doing, not the provider's, so
     * it counts against nothing (no breaker, no failure, no skip metric of its health).
     */
    public void admit(ChatContext chat) {
        Optional<Availability> skip = status.unavailable();
        if (skip.isEmpty() || skip.get().news()) { // a provider switched off is passed over as before, unremarked
            ModelChoice choice = choose(ModelDemand.of(chat));
            if (!choice.fits()) {
                chat.trail().record(name(), choice.refusal(), null);
                throw new ProviderFailure(name(), choice.refusal(), null, null);
            }
        }
        if (skip.isPresent() && skip.get().reason() == SkipReason.UNHEALTHY && chat.isLastInPlan(name())) {
            // a probe's verdict is a guess about calls to come, and a probe can fail for reasons of its own (a
            // model list that errs, a port shortage on this machine): when no provider is left after this one, the
            // call is worth its cost, since the alternative is a certain refusal
            skip = Optional.empty();
        }
        if (skip.isPresent()) {
            Availability a = skip.get();
            String reason = a.reason().word();
            metrics.skipped(reason);
            if (a.news()) {
                chat.trail().record(name(), reason, null, a.until());
            } else {
                chat.trail().skip(name(), reason);
            }
            throw new ProviderFailure(name(), reason, null, a.until());
        }
        chat.trail().enter(name());
    }

    /**
     * Starts asking this provider and returns without waiting: the call's outcome is left in {@link
     * ChatContext#callUnderWay}, for the chain to go on from when it settles. Throws {@link ProviderFailure} when the
     * provider cannot be asked at all (busy, no model fits, the model cannot be loaded).
     *
     * <p>The circuit breaker around this step records nothing when it returns (see {@link WholeAnswerBreaker}): the
     * call's one verdict is given here when it fails before its commit point, else by its {@link CallReport} when
     * the answer ends.
     */
    public void call(ChatContext chat) {
        Optional<Bulkhead.Permit> permit = bulkhead.enter(chat.isLastInPlan(name()));
        if (permit.isEmpty()) {
            chat.trail().record(name(), "busy", null);
            throw new ProviderFailure(name(), "busy", null, null);
        }
        String model;
        try {
            models.look();
            ModelChoice choice = choose(ModelDemand.of(chat));
            if (!choice.fits()) { // what the server says of its models changed since admission
                chat.trail().record(name(), choice.refusal(), null);
                throw new ProviderFailure(name(), choice.refusal(), null, null);
            }
            model = choice.model();
            prepare(chat, model);
        } catch (RuntimeException notAsked) {
            permit.get().release();
            throw notAsked;
        }
        long started = System.nanoTime();
        CompletableFuture<Void> outcome = rotation.run(
                chat, key -> callAttempt.start(chat, model, key, new CallReport(reports, chat, model, permit.get())));
        chat.callUnderWay(outcome.whenComplete((answered, failure) -> {
            if (failure != null) {
                // not answered: the slot is free again, and the breaker judges the failure (resilience4j ignores
                // what is not the provider's doing: the caller leaving, a refusal that counts against nothing)
                permit.get().release();
                breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, CompletionCause.of(failure));
            }
            // answered: the call that delivered holds the slot until it ends, and frees it through its report
        }));
    }

    /** Gets the model ready (a local model may have to load): time spent waiting on it is the provider's. */
    private void prepare(ChatContext chat, String model) {
        long start = System.nanoTime();
        try {
            models.prepare(model);
        } catch (ProviderFailure notReady) {
            chat.trail().record(name(), notReady.label(), null, notReady.retryAt());
            throw notReady;
        } finally {
            chat.addUpstreamTime(System.nanoTime() - start);
        }
    }

    /** Checks the provider between requests (its model list): see {@link ProviderProbe}. */
    public CompletableFuture<Void> probe() {
        return probe.probe();
    }
}
