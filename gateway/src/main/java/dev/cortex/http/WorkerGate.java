package dev.cortex.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the chat requests in flight: holding a worker, waiting for one, or waiting on a provider. Vert.x queues
 * blocking work without limit; past this bound a request gets a fast 503 with {@code Retry-After} rather than a place
 * at the end of a queue it may never leave in time.
 */
final class WorkerGate {

    private final int limit;
    private final AtomicInteger inUse = new AtomicInteger();

    /** @param limit workers plus the requests allowed beyond them */
    WorkerGate(int limit) {
        this.limit = limit;
    }

    boolean tryEnter() {
        while (true) {
            int now = inUse.get();
            if (now >= limit) {
                return false;
            }
            if (inUse.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void leave() {
        inUse.decrementAndGet();
    }

    /** Requests in flight now. */
    int inUse() {
        return inUse.get();
    }
}
