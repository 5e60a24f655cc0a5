package dev.cortex.provider;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many requests one provider serves at once (a stream holds its slot until it ends). Over the limit a request
 * goes on to the next provider; when no provider is left after this one it waits, but only a bounded time.
 */
public final class Bulkhead {

    private final int limit;
    private final Semaphore slots;
    private final Duration lastResortWait;

    public Bulkhead(int limit, Duration lastResortWait) {
        this.limit = limit;
        this.slots = new Semaphore(limit, true);
        this.lastResortWait = lastResortWait;
    }

    /** One request's slot. Whoever ends the request's use of the provider releases it; releasing twice is harmless. */
    final class Permit {
        private final AtomicBoolean held = new AtomicBoolean(true);

        void release() {
            if (held.compareAndSet(true, false)) {
                slots.release();
            }
        }
    }

    /** Takes a slot: at once, or after waiting up to the bounded time when {@code lastResort}; empty when full. */
    Optional<Permit> enter(boolean lastResort) {
        if (slots.tryAcquire()) {
            return Optional.of(new Permit());
        }
        if (!lastResort) {
            return Optional.empty();
        }
        try {
            return slots.tryAcquire(lastResortWait.toMillis(), TimeUnit.MILLISECONDS)
                    ? Optional.of(new Permit())
                    : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    public int limit() {
        return limit;
    }

    public int inUse() {
        return limit - slots.availablePermits();
    }
}
