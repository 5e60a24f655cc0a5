package dev.cortex.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * What each provider did with one request, in order: {@code groq:429,gemini:quota,cohere:503,ollama:ok}. A provider
 * is entered before its circuit breaker runs; if the breaker turns the call away, the entry gets no outcome from the
 * call itself and is closed as {@code rejected}. Disabled providers are noted for error messages but left out of the
 * header. Thread-safe: the chain and the stream relay both write to it.
 */
public final class AttemptTrail {

    private static final String REJECTED = "rejected";

    private final List<Entry> entries = new ArrayList<>(4);

    /**
     * @param failureClass null for the answer and for providers skipped without a call
     * @param retryAt      when the provider may be usable again, if it said so
     * @param shown        whether the entry belongs in the {@code X-Cortex-Attempts} header
     */
    public record Entry(String provider, String outcome, FailureClass failureClass, Instant retryAt, boolean shown) {
    }

    public synchronized void enter(String provider) {
        closeOpen();
        entries.add(new Entry(provider, null, null, null, true));
    }

    public void record(String provider, String outcome, FailureClass failureClass) {
        record(provider, outcome, failureClass, null);
    }

    public synchronized void record(String provider, String outcome, FailureClass failureClass, Instant retryAt) {
        int last = entries.size() - 1;
        Entry entry = new Entry(provider, outcome, failureClass, retryAt, true);
        if (last >= 0 && entries.get(last).outcome() == null && entries.get(last).provider().equals(provider)) {
            entries.set(last, entry);
        } else {
            closeOpen();
            entries.add(entry);
        }
    }

    /** A provider passed over without a call for a reason that is not news (it has no keys). */
    public synchronized void skip(String provider, String reason) {
        closeOpen();
        entries.add(new Entry(provider, reason, null, null, false));
    }

    public synchronized List<Entry> entries() {
        closeOpen();
        return List.copyOf(entries);
    }

    /**
     * The earliest moment one of the tried providers becomes usable again, when every one of them is waiting out a
     * known cool-down; empty if any failed for a reason with no known end.
     */
    public synchronized Optional<Instant> retryAt() {
        Instant earliest = null;
        for (Entry e : entries()) {
            if (!e.shown()) {
                continue;
            }
            if (e.retryAt() == null) {
                return Optional.empty();
            }
            earliest = earliest == null || e.retryAt().isBefore(earliest) ? e.retryAt() : earliest;
        }
        return Optional.ofNullable(earliest);
    }

    /** The trail as the {@code X-Cortex-Attempts} header shows it. */
    @Override
    public synchronized String toString() {
        StringJoiner j = new StringJoiner(",");
        for (Entry e : entries()) {
            if (e.shown()) {
                j.add(e.provider() + ":" + e.outcome());
            }
        }
        return j.toString();
    }

    private void closeOpen() {
        int last = entries.size() - 1;
        if (last >= 0 && entries.get(last).outcome() == null) {
            Entry open = entries.get(last);
            entries.set(last, new Entry(open.provider(), REJECTED, null, null, true));
        }
    }
}
