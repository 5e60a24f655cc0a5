package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chat.Usage;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.wire.ProviderAdapter;
import dev.cortex.chat.ChatContext;
import dev.cortex.failure.UpstreamError;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.FailureClass;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.wire.UpstreamRequest;

/**
 * One provider as the chain sees it: its wire format, keys, breaker, models and HTTP client. Its route calls
 * {@link #admit} (can it be tried at all, without calling it?) and then, inside the circuit breaker, {@link #call}
 * (try it, moving through its keys as the failure rules say).
 */
public final class Provider {

    private static final Logger LOG = LoggerFactory.getLogger(Provider.class);

    private final String name;
    private final String baseUrl;
    private final ProviderAdapter adapter;
    private final KeyPool keys;
    private final boolean needsKey;
    private final ModelSource models;
    private final Timeouts timeouts;
    private final Duration clientWriteTimeout;
    private final WholeAnswerBreaker breaker;
    private final FailureClassifier classifier;
    private final Vertx vertx;
    private final HttpClient client;
    private final Bulkhead bulkhead;
    private final Latency firstToken = new Latency();
    private final ProviderHealth health = new ProviderHealth();
    private final AccessPause pause;
    private volatile String lastFailure;
    private final ProviderMetrics metrics;

    /**
     * @param clientWriteTimeout how long a streaming caller may leave relayed tokens untaken before its stream is
     *                           dropped (its fault: the provider's clocks stand still meanwhile)
     */
    public Provider(String name, String baseUrl, ProviderAdapter adapter, KeyPool keys, boolean needsKey,
                    ModelSource models, Timeouts timeouts, Duration clientWriteTimeout, WholeAnswerBreaker breaker,
                    FailureClassifier classifier, Vertx vertx, HttpClient client, Bulkhead bulkhead,
                    ProviderMetrics metrics) {
        this.name = name;
        this.baseUrl = stripTrailingSlash(baseUrl);
        this.adapter = adapter;
        this.keys = keys;
        this.needsKey = needsKey;
        this.models = models;
        this.timeouts = timeouts;
        this.clientWriteTimeout = clientWriteTimeout;
        this.breaker = breaker;
        this.pause = new AccessPause(name, Clock.systemUTC());
        this.classifier = classifier;
        this.vertx = vertx;
        this.client = client;
        this.bulkhead = bulkhead;
        this.metrics = metrics;
    }

    public String name() {
        return name;
    }

    /** A cloud provider without keys is switched off, not an error. */
    public boolean enabled() {
        return !needsKey || !keys.isEmpty();
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

    /** Back to a clean slate: breaker closed, every key usable, no probe verdict (after an outage is fixed). */
    public void restore() {
        breaker.reset();
        keys.restore();
        health.clear();
        pause.clear();
    }

    /** Registers the meters that read this provider's state (breaker, keys, in flight) when scraped. */
    public void watchMetrics() {
        metrics.watch(breaker, keys, bulkhead);
    }

    /** Time to first token, from live traffic and probes. */
    public Latency firstTokenLatency() {
        return firstToken;
    }

    /** The last failure of a call, as {@code label (class)} — never a provider's text. */
    public String lastFailure() {
        return lastFailure;
    }

    public ProviderHealth health() {
        return health;
    }

    public Bulkhead bulkhead() {
        return bulkhead;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Why this provider cannot be tried now (no call is made to find out), or empty when it can. */
    public Optional<Availability> unavailable() {
        if (!enabled()) {
            return Optional.of(new Availability("disabled", null, false));
        }
        CircuitBreaker.State state = breaker.getState();
        if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
            return Optional.of(new Availability("breaker_open", breaker.openUntil().orElse(null), true));
        }
        Optional<Instant> paused = pause.until();
        if (paused.isPresent()) {
            return Optional.of(new Availability("access_denied", paused.get(), true));
        }
        KeyPool.Counts counts = keys.counts();
        if (counts.usable() + counts.cooling() == 0) {
            return Optional.of(new Availability("no_valid_key", null, true));
        }
        Optional<Instant> recovery = keys.earliestRecovery();
        if (recovery.isPresent()) {
            return Optional.of(new Availability("cooling", recovery.get(), true));
        }
        if (health.probeSaysDown()) {
            return Optional.of(new Availability("unhealthy", null, true));
        }
        return Optional.empty();
    }

    /**
     * Usable, but not at its best: it failed a fair share of recent calls, though not enough to open its breaker.
     * Strategies try it last. A half-open breaker keeps its place, so that its probe call happens (the breaker itself
     * turns away the calls beyond the probe), and a resting key is no sign of ill health while others serve.
     */
    public boolean degraded() {
        if (breaker.getState() != CircuitBreaker.State.CLOSED) {
            return false;
        }
        float failureRate = breaker.getMetrics().getFailureRate(); // -1 until enough calls were seen
        return failureRate >= breaker.getCircuitBreakerConfig().getFailureRateThreshold() / 2;
    }

    /** The four states health reports use. */
    public String healthState() {
        if (!enabled()) {
            return "disabled";
        }
        if (unavailable().isPresent()) {
            return "unavailable";
        }
        return degraded() || breaker.getState() == CircuitBreaker.State.HALF_OPEN ? "degraded" : "available";
    }

    /**
     * Turns the provider away before any upstream call when it cannot answer; otherwise enters it in the request's
     * trail, to be closed by {@link #call} or, if the breaker rejects the call, as rejected.
     */
    public void admit(ChatContext chat) {
        Optional<Availability> skip = unavailable();
        if (skip.isPresent() && skip.get().reason().equals("unhealthy") && chat.isLastInPlan(name)) {
            // a probe's verdict is a guess about calls to come, and a probe can fail for reasons of its own (a
            // model list that errs, a port shortage on this machine): when no provider is left after this one, the
            // call is worth its cost, since the alternative is a certain refusal
            skip = Optional.empty();
        }
        if (skip.isPresent()) {
            Availability a = skip.get();
            metrics.skipped(a.reason());
            if (a.news()) {
                chat.trail().record(name, a.reason(), null, a.until());
            } else {
                chat.trail().skip(name, a.reason());
            }
            throw new ProviderFailure(name, a.reason(), null, a.until());
        }
        chat.trail().enter(name);
    }

    /**
     * Asks this provider, blocking only until the commit point. Throws {@link ProviderFailure} to hand over to the
     * next provider, {@link ClientGoneException} when the caller hung up (the chain then stops).
     */
    public void call(ChatContext chat) {
        Optional<Bulkhead.Permit> permit = bulkhead.enter(chat.isLastInPlan(name));
        if (permit.isEmpty()) {
            chat.trail().record(name, "busy", null);
            throw new ProviderFailure(name, "busy", null, null);
        }
        try {
            callWithKeys(chat, permit.get()); // answered: the call that delivered holds the slot until it ends
        } catch (RuntimeException notAnswered) {
            permit.get().release();
            throw notAnswered;
        }
    }

    private void callWithKeys(ChatContext chat, Bulkhead.Permit permit) {
        String model = models.select(chat.request().model());
        prepare(chat, model);
        UpstreamError last = null;
        FailureClass lastClass = null;
        Set<String> tried = new HashSet<>(); // each key at most once per request, whatever its cool-down says
        while (true) {
            Optional<String> key = keys.acquire(tried);
            if (key.isEmpty()) { // every key is cooling down, dead, or already tried by now
                Instant retryAt = keys.earliestRecovery().orElse(null);
                if (last == null) {
                    chat.trail().record(name, "cooling", null, retryAt);
                    throw new ProviderFailure(name, "cooling", null, retryAt);
                }
                chat.trail().record(name, last, lastClass, retryAt);
                throw new ProviderFailure(name, last.label(), lastClass, retryAt);
            }
            tried.add(key.get());
            UpstreamError error = attempt(chat, model, key.get(), permit);
            if (error == null) {
                return;
            }
            FailureClass failure = classifier.classify(error);
            lastFailure = error.label() + " (" + failure.name().toLowerCase() + ")";
            metrics.failed(error.label(), failure);
            FailureClass.Action action = failure.action();
            if (!needsKey && (action == FailureClass.Action.COOL_KEY || action == FailureClass.Action.DROP_KEY)) {
                action = FailureClass.Action.FAIL_OVER; // a keyless provider has no key to set aside
            }
            switch (action) {
                case COOL_KEY -> keys.coolDown(key.get(), classifier.cooldown(error));
                case DROP_KEY -> keys.drop(key.get());
                case PAUSE_PROVIDER -> {
                    pause.pause(classifier.accessDeniedPause());
                    Instant until = pause.until().orElse(null);
                    chat.trail().record(name, error, failure, until);
                    throw new ProviderFailure(name, error.label(), failure, until);
                }
                case FAIL_OVER -> {
                    LOG.debug("{} failed: {} ({})", name, error.label(), ApiKeys.scrub(error.message()));
                    chat.trail().record(name, error, failure, null);
                    throw new ProviderFailure(name, error.label(), failure, null);
                }
            }
            if (keys.hasUsable(tried)) {
                chat.trail().record(name, error, failure, null); // this key failed; another key of ours tries next
                chat.trail().enter(name);
            }
            last = error;
            lastClass = failure;
        }
    }

    /** Gets the model ready (a local model may have to load): time spent waiting on it is the provider's. */
    private void prepare(ChatContext chat, String model) {
        long start = System.nanoTime();
        try {
            models.prepare(model);
        } catch (ProviderFailure notReady) {
            chat.trail().record(name, notReady.label(), null, notReady.retryAt());
            throw notReady;
        } finally {
            chat.addUpstreamTime(System.nanoTime() - start);
        }
    }

    /** One call with one key; null once committed, else what went wrong before the commit point. */
    private UpstreamError attempt(ChatContext chat, String model, String key, Bulkhead.Permit permit) {
        UpstreamCall call = new UpstreamCall(vertx, client, adapter, timeouts, clientWriteTimeout, chat, name, model,
                new CallReport(chat, permit));
        UpstreamRequest request = adapter.chatRequest(chat.request(), model, key);
        call.start(baseUrl + request.path(), request);
        try {
            call.settled().get(timeouts.total().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpstreamFailedException failed) {
                return failed.error();
            }
            if (e.getCause() instanceof ClientGoneException gone) {
                callerLeft(chat);
                throw gone;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            call.abandon(); // the call's own total clock should have ended it; make sure nothing outlives the wait
            return UpstreamError.of(UpstreamError.Kind.TOTAL_TIMEOUT, "no outcome within the total timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.abandon();
            callerLeft(chat);
            throw new ClientGoneException();
        }
    }

    /** Nobody waits for the answer any more: the provider is not to blame, and the trail says who left. */
    private void callerLeft(ChatContext chat) {
        chat.trail().record(name, "client_gone", null);
        metrics.clientLeft(CallEvents.End.CLIENT_GONE);
    }

    /**
     * Asks the provider's model list, the cheapest call that proves it is up. Key problems it reveals are handled
     * as on live traffic (cool, drop); only a provider-health failure marks the provider down until a probe passes.
     */
    public CompletableFuture<Void> probe() {
        Optional<String> key = keys.acquire();
        if (!enabled() || key.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        UpstreamRequest request = adapter.probeRequest(key.get());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(baseUrl + request.path())
                .setTimeout(timeouts.firstToken().toMillis());
        request.headers().forEach(options::putHeader);
        long start = System.nanoTime();
        CompletableFuture<Void> done = new CompletableFuture<>();
        client.request(options)
                .compose(r -> r.send().compose(response -> response.body().map(body -> {
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    if (response.statusCode() == 200) {
                        health.probeSucceeded(millis);
                        firstToken.recordProbe(millis);
                    } else {
                        probeError(key.get(), adapter.error(response.statusCode(), response::getHeader, body.toString()));
                    }
                    return (Void) null;
                })))
                .onFailure(e -> health.probeFailed(e.getClass().getSimpleName()))
                .onComplete(r -> done.complete(null));
        return done;
    }

    private void probeError(String key, UpstreamError error) {
        FailureClass failure = classifier.classify(error);
        switch (failure.action()) {
            case COOL_KEY -> keys.coolDown(key, classifier.cooldown(error));
            case DROP_KEY -> keys.drop(key);
            case PAUSE_PROVIDER -> pause.pause(classifier.accessDeniedPause());
            case FAIL_OVER -> {
                if (failure.countsAgainstBreaker()) {
                    health.probeFailed(error.label());
                }
            }
        }
    }

    /**
     * How one call reports back: latency, and its one outcome once it delivered. The call's bulkhead slot is freed
     * here. A streamed answer's breaker verdict is given here too, when the stream ends (see
     * {@link WholeAnswerBreaker}): a success, a failure, or — when the caller left — nothing at all.
     */
    private final class CallReport implements CallEvents {
        private final ChatContext chat;
        private final Bulkhead.Permit permit;

        CallReport(ChatContext chat, Bulkhead.Permit permit) {
            this.chat = chat;
            this.permit = permit;
        }

        @Override
        public void firstToken(long millis) {
            firstToken.record(millis);
            metrics.firstToken(millis);
        }

        @Override
        public void ended(End how, long providerMillis, Usage usage, UpstreamError error) {
            permit.release();
            switch (how) {
                case COMPLETE -> {
                    health.answered(); // a whole answer is fresher news than the last probe
                    metrics.answered(providerMillis, usage);
                    if (chat.streaming()) {
                        breaker.onSuccess(providerMillis, TimeUnit.MILLISECONDS);
                    }
                }
                case BROKEN -> {
                    FailureClass failure = classifier.classify(error);
                    lastFailure = error.label() + " after the first token";
                    metrics.broken(error.label(), failure, usage);
                    LOG.warn("{}: stream failed after the first token ({})", name, error.label());
                    breaker.onError(providerMillis, TimeUnit.MILLISECONDS,
                            new ProviderFailure(name, error.label(), failure, null));
                }
                case CLIENT_GONE, CLIENT_TOO_SLOW -> {
                    metrics.clientLeft(how);
                    metrics.tokens(usage);
                    LOG.debug("{}: the caller {} mid-stream; the call is cancelled", name,
                            how == End.CLIENT_GONE ? "hung up" : "stopped reading");
                    breaker.releasePermission(); // the answer says nothing about the provider
                }
            }
        }
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
