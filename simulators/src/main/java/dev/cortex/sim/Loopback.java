package dev.cortex.sim;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A simulator's HTTP server on 127.0.0.1 (or the address it is given: a simulator in a container serves other
 * containers), on one Vert.x shared by every simulator in the JVM (timers, not threads, pace the answers), and the few
 * things every wire's replies need: JSON in, JSON out, a timer.
 */
final class Loopback {

    private static volatile Vertx shared;

    final Vertx vertx = sharedVertx();
    private HttpServer server;

    private static Vertx sharedVertx() {
        if (shared == null) {
            synchronized (Loopback.class) {
                if (shared == null) {
                    shared = Vertx.vertx();
                }
            }
        }
        return shared;
    }

    void listen(String host, int port, Consumer<HttpServerRequest> handler, String name) {
        server = vertx.createHttpServer(
                        new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true))
                .requestHandler(handler::accept);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + " simulator could not listen on " + port, e);
        }
    }

    int port() {
        return server.actualPort();
    }

    /** Stops listening and closes every connection, before returning. */
    void close(String name) {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(name + " simulator did not close", e);
            }
        }
    }

    /** Runs {@code action} after {@code millis} on the event loop (at once when not positive). */
    void later(long millis, Runnable action) {
        if (millis <= 0) {
            action.run();
        } else {
            vertx.setTimer(millis, t -> action.run());
        }
    }

    /** The body as JSON (an empty one as an empty object), or null when it is not JSON. */
    static JsonNode json(Buffer body) {
        try {
            return body.length() == 0 ? Json.object() : Json.parse(body.getBytes());
        } catch (Exception e) {
            return null;
        }
    }

    static void send(HttpServerResponse response, WireReply reply) {
        reply.headers().forEach(response::putHeader);
        response.setStatusCode(reply.status())
                .putHeader("Content-Type", "application/json")
                .end(Buffer.buffer(Json.bytes(reply.body())));
    }
}
