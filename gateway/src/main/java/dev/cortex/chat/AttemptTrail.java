package dev.cortex.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

import dev.cortex.failure.FailureClass;
import dev.cortex.failure.UpstreamError;

/**
 * What each provider did with one request, in order: {@code groq:429,gemini:quota,cohere:503,ollama:ok}. A provider
 * is entered before its circuit breaker runs; if the breaker turns the call away, the entry gets no outcome from the
 * call itself and is closed as {@code rejected}. Disabled providers are noted for error messages but left out of the
 * header. Thread-safe: the chain and the stream relay both write to it.
 */
public final class AttemptTrail {

    private static final String REJECTED = "rejected";

    private final List<Entry> entries = new ArrayList<>(4);
    /** Open entries whose call is under way: not to be taken for rejected when another provider is entered (a hedge). */
    private final List<Integer> underWay = new ArrayList<>(2);

    /** How much of a provider's own words an error message repeats (they can be long, and are for people). */
    private static final int DETAIL_LIMIT = 300;

    /**
     * @param failureClass null for the answer and for providers skipped without a call
     * @param retryAt      when the provider may be usable again, if it said so
     * @param shown        whether the entry belongs in the {@code X-Cortex-Attempts} header
     * @param status       the provider's HTTP status when it answered with an error, else 0
     * @param detail       what the provider said when it refused the request (scrubbed of keys), else null
     */
    public record Entry(
            String provider,
            String outcome,
            FailureClass failureClass,
            Instant retryAt,
            boolean shown,
            int status,
            String detail) {

        Entry(String provider, String outcome, FailureClass failureClass, Instant retryAt, boolean shown) {
            this(provider, outcome, failureClass, retryAt, shown, 0, null);
        }
    }

    public synchronized void enter(String provider) {
        closeOpen();
        entries.add(new Entry(provider, null, null, null, true));
    }

    /** The provider's open entry has a call under way now: it stays open until the call's outcome is recorded. */
    public synchronized void callUnderWay(String provider) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.outcome() == null && e.provider().equals(provider)) {
                if (!underWay.contains(i)) {
                    underWay.add(i);
                }
                return;
            }
        }
    }

    public void record(String provider, String outcome, FailureClass failureClass) {
        record(provider, outcome, failureClass, null);
    }

    public synchronized void record(String provider, String outcome, FailureClass failureClass, Instant retryAt) {
        put(new Entry(provider, outcome, failureClass, retryAt, true));
    }

    /**
     * A call that failed: its label, class, status, and — when the provider refused the request — its words, which the
     * caller has already cleared of keys.
     */
    public synchronized void record(String provider, UpstreamError error, FailureClass failureClass, Instant retryAt) {
        String detail = failureClass.refusesRequest() && error.message() != null
                ? shorten(error.message().strip())
                : null;
        put(new Entry(provider, error.label(), failureClass, retryAt, true, error.status(), detail));
    }

    private static String shorten(String text) {
        return text.length() <= DETAIL_LIMIT ? text : text.substring(0, DETAIL_LIMIT) + "…";
    }

    /** Closes the provider's open entry with this outcome, or adds the entry when it has none open. */
    private void put(Entry entry) {
        String provider = entry.provider();
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.outcome() == null && e.provider().equals(provider)) {
                entries.set(i, entry);
                underWay.remove(Integer.valueOf(i));
                return;
            }
        }
        closeOpen();
        entries.add(entry);
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
     * The earliest moment one of the providers that refused may be tried again, when at least one of them has a
     * known end (a rate limit's or quota's wait, a breaker's rest, a pause after an access refusal); empty when none
     * has: then waiting would be a guess.
     */
    public synchronized Optional<Instant> retryAt() {
        Instant earliest = null;
        for (Entry e : entries()) {
            if (e.shown()
                    && e.retryAt() != null
                    && (earliest == null || e.retryAt().isBefore(earliest))) {
                earliest = e.retryAt();
            }
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

    /** The last entry, left open while the next is entered: its breaker turned the call away before it began. */
    private void closeOpen() {
        int last = entries.size() - 1;
        if (last >= 0 && entries.get(last).outcome() == null && !underWay.contains(last)) {
            Entry open = entries.get(last);
            entries.set(last, new Entry(open.provider(), REJECTED, null, null, true));
        }
    }
}
