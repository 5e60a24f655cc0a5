package dev.cortex.provider;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

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

    /** Takes a slot: at once, or after waiting up to the bounded time when {@code lastResort}. */
    boolean enter(boolean lastResort) {
        if (slots.tryAcquire()) {
            return true;
        }
        if (!lastResort) {
            return false;
        }
        try {
            return slots.tryAcquire(lastResortWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void leave() {
        slots.release();
    }

    public int limit() {
        return limit;
    }

    public int inUse() {
        return limit - slots.availablePermits();
    }
}
