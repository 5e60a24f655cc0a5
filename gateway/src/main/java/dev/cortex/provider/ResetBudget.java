package dev.cortex.provider;

import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;

import io.vertx.core.http.HttpConnection;

/**
 * The resets one provider's HTTP/2 connections have sent lately. A server closes a connection that sends it too many
 * RST_STREAM frames (rapid-reset protection: Netty and Vert.x servers take 200 in 30 s), and with it every other call
 * the connection carries: callers leaving in bulk would cost the callers who stay their answers, and the provider its
 * health. So a call nobody waits for any more is reset while its connection's budget lasts, which stops the provider
 * working on it, and past the budget it is read out and dropped instead.
 */
final class ResetBudget {

    /** Half of what those servers accept, in the same window: room for the provider's own resets and for timing. */
    static final int RESETS = 100;

    static final Duration WINDOW = Duration.ofSeconds(30);

    /** Per connection, when its last {@link #RESETS} resets were sent (a ring); forgotten with the connection. */
    private final Map<HttpConnection, long[]> sent = new WeakHashMap<>();

    /** Whether {@code connection} may send one more reset now; if so, it is counted. */
    synchronized boolean spend(HttpConnection connection, long nowNanos) {
        long[] ring = sent.computeIfAbsent(connection, c -> new long[RESETS + 1]);
        int next = (int) (ring[RESETS] % RESETS); // the slot after the newest: the oldest of the last RESETS resets
        if (ring[RESETS] >= RESETS && nowNanos - ring[next] < WINDOW.toNanos()) {
            return false;
        }
        ring[next] = nowNanos;
        ring[RESETS]++;
        return true;
    }
}
