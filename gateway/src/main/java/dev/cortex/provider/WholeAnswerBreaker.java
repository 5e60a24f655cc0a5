package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

/**
 * A resilience4j circuit breaker that judges whole answers. Camel's circuit breaker EIP records a call's outcome when
 * the call returns; a provider's call step returns as soon as its call is under way (no thread waits for a provider),
 * long before the answer, let alone a stream, can turn out good or broken. For such calls ({@code outcomeComesLater})
 * this breaker records nothing when the step returns and keeps the call's permission (a half-open breaker's probe
 * stays the only call); the call reports its one outcome when it fails or its answer ends, through {@link
 * #onSuccess}, {@link #onError} or — when the client left and the answer says nothing about the provider — {@link
 * #releasePermission}. A step that fails at once is recorded by the EIP, as usual. Everything else is resilience4j's
 * own breaker, unchanged.
 *
 * <p>It also remembers when it last opened, so that a caller can be told when the provider may be tried again.
 */
public final class WholeAnswerBreaker implements CircuitBreaker {

    private final CircuitBreaker breaker;
    private final Predicate<Object> outcomeComesLater;
    private final Clock clock;
    private volatile Instant openedAt = Instant.MIN;

    public WholeAnswerBreaker(CircuitBreaker breaker, Predicate<Object> outcomeComesLater, Clock clock) {
        this.breaker = breaker;
        this.outcomeComesLater = outcomeComesLater;
        this.clock = clock;
        breaker.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == State.OPEN) {
                openedAt = clock.instant();
            }
        });
    }

    /** When an open breaker lets a probe through again; empty unless it is open now. */
    public Optional<Instant> openUntil() {
        if (breaker.getState() != State.OPEN) {
            return Optional.empty();
        }
        long waitMillis = breaker.getCircuitBreakerConfig()
                .getWaitIntervalFunctionInOpenState()
                .apply(1);
        return Optional.of(openedAt.plus(Duration.ofMillis(waitMillis)));
    }

    @Override
    public void onResult(long duration, TimeUnit durationUnit, Object result) {
        if (!outcomeComesLater.test(result)) {
            breaker.onResult(duration, durationUnit, result);
        }
    }

    // ---- resilience4j's own breaker, as is ----

    @Override
    public boolean tryAcquirePermission() {
        return breaker.tryAcquirePermission();
    }

    @Override
    public void releasePermission() {
        breaker.releasePermission();
    }

    @Override
    public void acquirePermission() {
        breaker.acquirePermission();
    }

    @Override
    public void onError(long duration, TimeUnit durationUnit, Throwable throwable) {
        breaker.onError(duration, durationUnit, throwable);
    }

    @Override
    public void onSuccess(long duration, TimeUnit durationUnit) {
        breaker.onSuccess(duration, durationUnit);
    }

    @Override
    public void reset() {
        breaker.reset();
    }

    @Override
    public void transitionToClosedState() {
        breaker.transitionToClosedState();
    }

    @Override
    public void transitionToOpenState() {
        breaker.transitionToOpenState();
    }

    @Override
    public void transitionToOpenStateFor(Duration waitDuration) {
        breaker.transitionToOpenStateFor(waitDuration);
    }

    @Override
    public void transitionToOpenStateUntil(Instant waitUntil) {
        breaker.transitionToOpenStateUntil(waitUntil);
    }

    @Override
    public void transitionToHalfOpenState() {
        breaker.transitionToHalfOpenState();
    }

    @Override
    public void transitionToDisabledState() {
        breaker.transitionToDisabledState();
    }

    @Override
    public void transitionToMetricsOnlyState() {
        breaker.transitionToMetricsOnlyState();
    }

    @Override
    public void transitionToForcedOpenState() {
        breaker.transitionToForcedOpenState();
    }

    @Override
    public String getName() {
        return breaker.getName();
    }

    @Override
    public State getState() {
        return breaker.getState();
    }

    @Override
    public CircuitBreakerConfig getCircuitBreakerConfig() {
        return breaker.getCircuitBreakerConfig();
    }

    @Override
    public Metrics getMetrics() {
        return breaker.getMetrics();
    }

    @Override
    public Map<String, String> getTags() {
        return breaker.getTags();
    }

    @Override
    public EventPublisher getEventPublisher() {
        return breaker.getEventPublisher();
    }

    @Override
    public long getCurrentTimestamp() {
        return breaker.getCurrentTimestamp();
    }

    @Override
    public TimeUnit getTimestampUnit() {
        return breaker.getTimestampUnit();
    }
}
