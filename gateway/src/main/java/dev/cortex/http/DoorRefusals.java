package dev.cortex.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.cortex.api.ErrorBodies;

/**
 * Answers a request the front door turns away before any route runs (cross-site, not JSON, a bad key, too large,
 * too busy, no such path), in the caller's API shape, and counts it by reason
 * ({@code cortex_front_door_refused_total{status,code}}) so an operator sees an attack or a misconfigured client.
 */
final class DoorRefusals {

    private final MeterRegistry meters;

    DoorRefusals(MeterRegistry meters) {
        this.meters = meters;
    }

    void send(RoutingContext ctx, int status, String code, String message) {
        send(ctx, status, code, message, null, null);
    }

    void send(RoutingContext ctx, int status, String code, String message, String header, String value) {
        meters.counter("cortex.front.door.refused", "status", Integer.toString(status), "code", code)
                .increment();
        HttpServerResponse response = ctx.response();
        if (response.headWritten()) {
            ctx.request().connection().close(); // nothing sensible can follow a head already sent
            return;
        }
        ErrorBodies.Rendered body = ErrorBodies.forPath(ctx.request().path()).render(status, code, message);
        response.setStatusCode(status).putHeader("Content-Type", body.contentType());
        if (header != null) {
            response.putHeader(header, value);
        }
        response.end(Buffer.buffer(body.bytes()));
    }
}
