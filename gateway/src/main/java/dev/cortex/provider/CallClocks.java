package dev.cortex.provider;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.vertx.core.Vertx;

import dev.cortex.failure.UpstreamError;

/**
 * The four clocks of one upstream call (docs/streaming.md), as Vert.x timers on the call's event loop: connect (the
 * HTTP client's own), first token, idle, and total. The total clock runs on the provider's time only: it stands still
 * while the caller is slow to take what was relayed, and the idle clock with it. Confined to the call's event loop.
 */
final class CallClocks {

    private final Vertx vertx;
    private final Timeouts timeouts;
    private final Consumer<UpstreamError> expired;
    private final long startNanos = System.nanoTime();
    private long firstTokenTimer = -1;
    private long idleTimer = -1;
    private long totalTimer = -1;
    private long clientTimer = -1;
    private long providerNanos; // time on the provider's clock before the current run
    private long runningSince = -1; // when the provider's clock last started; -1 while it is stopped
    private boolean providerPaused;

    /** @param expired what to do when a clock runs out: fail the call with this error */
    CallClocks(Vertx vertx, Timeouts timeouts, Consumer<UpstreamError> expired) {
        this.vertx = vertx;
        this.timeouts = timeouts;
        this.expired = expired;
    }

    /** The request is on its way: the first-token and total clocks start. */
    void start() {
        runProviderClock();
        firstTokenTimer = vertx.setTimer(
                timeouts.firstToken().toMillis(),
                t -> expired.accept(UpstreamError.of(
                        UpstreamError.Kind.FIRST_TOKEN_TIMEOUT, "no first token within " + timeouts.firstToken())));
    }

    long sinceStartNanos() {
        return System.nanoTime() - startNanos;
    }

    /** Stops the first-token clock; returns the milliseconds it took, or -1 if it had already stopped. */
    long firstTokenArrived() {
        if (firstTokenTimer < 0) {
            return -1;
        }
        cancel(firstTokenTimer);
        firstTokenTimer = -1;
        return TimeUnit.NANOSECONDS.toMillis(sinceStartNanos());
    }

    /** Bytes came: the idle clock starts again (unless Cortex itself paused the provider). */
    void dataArrived() {
        if (providerPaused) {
            return;
        }
        cancel(idleTimer);
        idleTimer = vertx.setTimer(
                timeouts.idle().toMillis(),
                t -> expired.accept(
                        UpstreamError.of(UpstreamError.Kind.IDLE_TIMEOUT, "no data for " + timeouts.idle())));
    }

    /** Cortex stopped reading the provider for a slow caller: the provider's clocks stand still, the caller's runs. */
    void pauseProvider(Duration clientWriteTimeout, Runnable clientTooSlow) {
        providerPaused = true;
        providerNanos += System.nanoTime() - runningSince;
        runningSince = -1;
        cancel(totalTimer);
        cancel(idleTimer);
        totalTimer = idleTimer = -1;
        clientTimer = vertx.setTimer(clientWriteTimeout.toMillis(), t -> clientTooSlow.run());
    }

    boolean providerPaused() {
        return providerPaused;
    }

    /** The caller caught up: its clock stops, the provider's run again. */
    void resumeProvider() {
        providerPaused = false;
        cancel(clientTimer);
        clientTimer = -1;
        runProviderClock();
        dataArrived();
    }

    /** Time on the provider's clock so far. */
    long providerMillis() {
        return TimeUnit.NANOSECONDS.toMillis(
                providerNanos + (runningSince >= 0 ? System.nanoTime() - runningSince : 0));
    }

    void stopAll() {
        cancel(firstTokenTimer);
        cancel(idleTimer);
        cancel(totalTimer);
        cancel(clientTimer);
        firstTokenTimer = idleTimer = totalTimer = clientTimer = -1;
        runningSince = -1;
    }

    private void runProviderClock() {
        runningSince = System.nanoTime();
        long remainingMillis = timeouts.total().toMillis() - TimeUnit.NANOSECONDS.toMillis(providerNanos);
        totalTimer = vertx.setTimer(
                Math.max(1, remainingMillis),
                t -> expired.accept(UpstreamError.of(
                        UpstreamError.Kind.TOTAL_TIMEOUT, "no complete answer within " + timeouts.total())));
    }

    private void cancel(long id) {
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }
}
