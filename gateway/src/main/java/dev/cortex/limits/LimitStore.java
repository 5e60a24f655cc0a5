package dev.cortex.limits;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;

/**
 * Where the keys' limits, budgets and usage live: in this process with its files under {@code data/}
 * ({@link EmbeddedLimitStore}), or in Redis, shared by every replica. Every method answers promptly: a store that
 * cannot reach its backend says so ({@link #mode()}) and decides by the configured fallback rather than wait.
 */
public interface LimitStore extends AutoCloseable {

    /**
     * Admits one request against every limit of its key at once, or refuses it without counting anything: one request
     * against the requests per minute, its token estimate against the tokens per minute, its cost estimate against
     * what is left of the day's and the month's budget (spend so far plus the reservations of requests in flight).
     */
    Decision admit(Ask ask, Instant now);

    /**
     * A request has ended: its reservation is replaced by what it used (the per-minute tokens given back or charged,
     * the budgets corrected) and the use is added to the usage accounts.
     */
    void settle(Reservation reservation, Spend spend, Instant now);

    /** What the given keys used from day {@code from} to day {@code to}, both included, per day, provider and model. */
    List<UsageRow> usage(Collection<String> keys, LocalDate from, LocalDate to);

    /** What a key has spent (reservations in flight included) in the day and the month of {@code now}. */
    Spent spent(String key, Instant now);

    /** How the store keeps its state now, for health and metrics: e.g. {@code embedded}, {@code redis}. */
    String mode();

    /**
     * Whether its calls cross the network (Redis): then a request's settlement runs off the request's own path, so
     * that no reply waits for it.
     */
    default boolean remote() {
        return false;
    }

    /** Whether the store works as configured; false while a shared store is unreachable and a fallback decides. */
    boolean healthy();

    @Override
    void close();

    /** Micro-dollars spent in the current day and month. */
    record Spent(long dayMicros, long monthMicros) {}
}
