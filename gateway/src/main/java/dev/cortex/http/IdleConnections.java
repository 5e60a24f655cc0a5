package dev.cortex.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Closes client connections that sit idle between requests for longer than the configured time, so kept-alive
 * connections a client forgot cannot pile up to the process's limit of open files.
 *
 * <p>Only the time between requests counts, and the time a client takes to send a request's body: a body that has not
 * all arrived this long after the request's head is a client stalling (slowly or not at all), and its connection is
 * closed too. Vert.x's own idle timeout counts any silence, and a request waiting on a slow provider for its answer is
 * silent too: it would be cut. Camel creates the server, so this tracks connections from the requests they carry
 * instead.
 */
final class IdleConnections {

    private final Map<HttpConnection, Activity> open = new ConcurrentHashMap<>();
    private final long idleNanos;

    IdleConnections(Vertx vertx, Duration idle) {
        this.idleNanos = idle.toNanos();
        long sweepMs = Math.max(250, idle.toMillis() / 4);
        vertx.setPeriodic(sweepMs, id -> sweep());
    }

    /** Notes that a request is being served on its connection, until its response ends. */
    void track(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        if (connection == null) {
            return;
        }
        Activity activity = open.computeIfAbsent(connection, c -> {
            c.closeHandler(v -> open.remove(c));
            return new Activity();
        });
        activity.inFlight.incrementAndGet();
        activity.receivingSince = System.nanoTime();
        activity.receiving = ctx.request();
        ctx.addEndHandler(ended -> {
            activity.receiving = null;
            activity.lastActive = System.nanoTime();
            activity.inFlight.decrementAndGet();
        });
    }

    /** Connections tracked now (for tests and the curious). */
    int tracked() {
        return open.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, activity) -> {
            HttpServerRequest receiving = activity.receiving;
            boolean stalled = receiving != null && !receiving.isEnded() && now - activity.receivingSince > idleNanos;
            if (stalled || (activity.inFlight.get() == 0 && now - activity.lastActive > idleNanos)) {
                open.remove(connection);
                connection.close();
            }
        });
    }

    private static final class Activity {
        final AtomicInteger inFlight = new AtomicInteger();
        volatile long lastActive = System.nanoTime();
        /** The request whose body is being received, and since when (null once its response ended). */
        volatile HttpServerRequest receiving;

        volatile long receivingSince;
    }
}
