package dev.cortex.limits;

/**
 * A per-minute limit as a bucket that refills continuously: it holds at most the limit, and regains the limit over a
 * minute, a little at a time (as OpenAI's own limits behave, so that {@code x-ratelimit-reset-*} means what its SDKs
 * expect). A request takes what it needs only when all of it is there. Given back or charged later, a level may go
 * below zero: an answer longer than its reservation is a debt the next requests wait for.
 *
 * <p>Not thread-safe: its owner holds the key's lock. The Redis store runs the same arithmetic in its Lua script.
 */
final class TokenBucket {

    static final long WINDOW_MILLIS = 60_000;

    private long capacity;
    private double level;
    private long updatedMillis;

    TokenBucket(long capacity, long nowMillis) {
        this.capacity = capacity;
        this.level = capacity;
        this.updatedMillis = nowMillis;
    }

    /** Brings the level up to {@code now}; a limit changed in the key file takes effect here. */
    void refill(long capacity, long nowMillis) {
        if (capacity != this.capacity) {
            level = Math.min(level, capacity);
            this.capacity = capacity;
        }
        long elapsed = Math.max(0, nowMillis - updatedMillis);
        level = Math.min(capacity, level + (double) elapsed * capacity / WINDOW_MILLIS);
        updatedMillis = Math.max(updatedMillis, nowMillis);
    }

    boolean holds(long amount) {
        return level >= amount;
    }

    void take(long amount) {
        level -= amount;
    }

    /** Gives back (positive) or charges (negative) after the fact; never above the capacity. */
    void adjust(long amount) {
        level = Math.min(capacity, level + amount);
    }

    /** How long until {@code amount} is there; 0 when it is. */
    long millisUntil(long amount) {
        double missing = amount - level;
        return missing <= 0 ? 0 : (long) Math.ceil(missing * WINDOW_MILLIS / capacity);
    }

    RateWindow window() {
        long remaining = (long) Math.max(0, Math.floor(level));
        return new RateWindow(capacity, remaining, millisUntil(capacity));
    }
}
