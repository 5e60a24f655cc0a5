package dev.cortex.sim;

import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import io.vertx.core.http.HttpServerRequest;

/** How a simulator behaves now: its text, pacing, faults, keys, models and per-model profiles. */
final class Knobs {

    final Deque<Fault> onceFaults = new ConcurrentLinkedDeque<>();
    final List<String> models = new CopyOnWriteArrayList<>();
    final Map<String, Profile> profiles = new ConcurrentHashMap<>();
    /** Requests per profiled model so far, for {@link Fault.SilenceAfter} and {@link Fault.SlowEvery}. */
    private final Map<String, AtomicInteger> profileCalls = new ConcurrentHashMap<>();

    volatile Fault fault;
    volatile String reply;
    volatile UnaryOperator<String> replyTo;
    volatile Duration firstTokenDelay;
    volatile Duration chunkGap;
    volatile Set<String> acceptedKeys;

    void reset(List<String> defaultModels) {
        clearFaults();
        profiles.clear();
        profileCalls.clear();
        reply = "Hello from the simulator";
        replyTo = null;
        firstTokenDelay = Duration.ZERO;
        chunkGap = Duration.ZERO;
        acceptedKeys = null;
        models.clear();
        models.addAll(defaultModels);
    }

    void clearFaults() {
        fault = null;
        onceFaults.clear();
    }

    /** The text to answer a prompt with (when no profile names one). */
    String replyFor(String prompt) {
        UnaryOperator<String> f = replyTo;
        return f != null ? f.apply(prompt == null ? "" : prompt) : reply;
    }

    boolean validKey(String key) {
        Set<String> accepted = acceptedKeys;
        return key != null && !key.isBlank() && (accepted == null || accepted.contains(key));
    }

    /** The fault for this request: its {@code X-Sim-Fault} header's, else the next one-off, else the standing one. */
    Fault nextFault(HttpServerRequest request) {
        String header = request.getHeader("X-Sim-Fault");
        if (header != null && !header.isBlank()) {
            return Fault.parse(header);
        }
        Fault once = onceFaults.poll();
        return once != null ? once : fault;
    }

    /** The fault a profiled model's request meets: the profile's, counted when it depends on the request's place. */
    Fault profileFault(String model, Fault fault) {
        if (fault instanceof Fault.SilenceAfter after) {
            return call(model) > after.calls() ? Fault.silence() : null;
        }
        if (fault instanceof Fault.SlowEvery slow) {
            return call(model) % slow.every() == 0 ? new Fault.SlowFirstToken(slow.delay()) : null;
        }
        return fault;
    }

    /** This request's place among the profiled model's requests since the last reset, from 1. */
    private int call(String model) {
        return profileCalls.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
    }

    boolean serves(String model) {
        return models.contains(model) || profiles.containsKey(model);
    }
}
