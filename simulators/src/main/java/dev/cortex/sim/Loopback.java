package dev.cortex.sim;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * A simulator's HTTP server on 127.0.0.1 (or the address it is given: a simulator in a container serves other
 * containers), on one Vert.x shared by every simulator in the JVM (timers, not threads, pace the answers), and the few
 * things every wire's replies need: JSON in, JSON out, a timer.
 */
final class Loopback {

    /** The HTTP/2 streams one connection may carry at once. */
    static final int STREAMS_PER_CONNECTION = 100;

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

    void listen(String host, int port, Consumer<HttpServerRequest> handler, Observations observations, String name) {
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost(host)
                        .setPort(port)
                        .setTcpNoDelay(true)
                        // HTTP/1.1 and h2c on one port, as a provider behind an h2c proxy (vLLM, Ollama) serves:
                        // h2c by prior knowledge or by an Upgrade from HTTP/1.1
                        .setHttp2ClearTextEnabled(true)
                        // streams per connection, as many HTTP/2 servers allow (a client that wants more opens
                        // another connection)
                        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(STREAMS_PER_CONNECTION)))
                .connectionHandler(connection -> observations.connected(connection))
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

    /**
     * Breaks off the answer to {@code request} as a failing server does: over HTTP/1.1 by closing its connection, over
     * HTTP/2 by resetting its stream (closing the connection would break every other call it carries).
     */
    static void cut(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
        } else {
            request.connection().close();
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
