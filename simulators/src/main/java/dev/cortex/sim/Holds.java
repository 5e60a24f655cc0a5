package dev.cortex.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests kept waiting until released: the first request for each distinct prompt containing a marker is held (an
 * answer that takes as long as the test wants, e.g. to stop a gateway mid-request); a repeat of that prompt (a
 * redelivery) is answered at once.
 */
final class Holds {

    private volatile String marker;
    private final Set<String> heldOnce = ConcurrentHashMap.newKeySet();
    private final List<Runnable> waiting = new ArrayList<>();
    private final AtomicInteger held = new AtomicInteger();
    private volatile String lastHeldModel;

    void holdOnce(String marker) {
        this.marker = marker;
    }

    /** Holds this request if it is one to hold: {@code resume} then runs on {@link #release()}. */
    boolean hold(String prompt, String model, Runnable resume) {
        String m = marker;
        if (m == null || prompt == null || !prompt.contains(m) || !heldOnce.add(prompt)) {
            return false;
        }
        synchronized (waiting) {
            waiting.add(resume);
        }
        lastHeldModel = model;
        held.incrementAndGet();
        return true;
    }

    /** Lets every held request go on, and holds no more until told again. */
    void release() {
        marker = null;
        List<Runnable> go;
        synchronized (waiting) {
            go = List.copyOf(waiting);
            waiting.clear();
        }
        go.forEach(Runnable::run);
    }

    void reset() {
        release();
        heldOnce.clear();
        held.set(0);
        lastHeldModel = null;
    }

    int held() {
        return held.get();
    }

    String lastHeldModel() {
        return lastHeldModel;
    }
}
