package dev.cortex.http;

import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.access.GatewayAccess;

/**
 * The platform-http engine Cortex binds as {@code platform-http-engine}: Vert.x as usual, with
 *
 * <ul>
 *   <li>a guard in front of every route, before its body is read ({@link FrontDoorGuard}), and connections closed
 *       when idle between requests ({@link IdleConnections});
 *   <li>consumers that let a route stream its own response, give the operator's routes workers of their own, and
 *       refuse chat requests past a bounded queue ({@link StreamingHttpConsumer});
 *   <li>refusals in the caller's API shape for what Vert.x would answer in its own: a path no route serves (404),
 *       a body over the size limit (413).
 * </ul>
 */
public final class StreamingHttpEngine extends VertxPlatformHttpEngine {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingHttpEngine.class);

    private final AtomicBoolean installed = new AtomicBoolean();
    private final FrontDoorSettings settings;
    private final FrontDoorGuard guard;
    private final IdleConnections idle;
    private final DoorRefusals refusals;
    private final WorkerGate chatWorkers;
    private final WorkerExecutor operatorWorkers;

    public StreamingHttpEngine(Vertx vertx, GatewayAccess access, FrontDoorSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.refusals = new DoorRefusals(meters);
        this.guard = new FrontDoorGuard(access, settings.allowedOrigins(), refusals, meters);
        this.idle = new IdleConnections(vertx, settings.idleTimeout());
        this.chatWorkers = new WorkerGate(settings.chatWorkers() + settings.maxQueuedRequests());
        this.operatorWorkers = vertx.createSharedWorkerExecutor("cortex-operator", settings.operatorWorkers());
        meters.gauge("cortex.http.chat.requests.in.flight", chatWorkers, WorkerGate::inUse);
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        String routerName = VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort());
        install(routerName); // before any route's own handlers, so nothing is served unguarded
        return new StreamingHttpConsumer(
                endpoint,
                processor,
                getHandlers(),
                routerName,
                new StreamingHttpConsumer.Door(chatWorkers, operatorWorkers, refusals),
                () -> install(routerName));
    }

    /** Chat requests in flight now (a leak shows here). */
    public int chatRequestsInFlight() {
        return chatWorkers.inUse();
    }

    private void install(String routerName) {
        if (installed.get()) {
            return;
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(), routerName);
        if (router != null && installed.compareAndSet(false, true)) {
            router.route().order(Integer.MIN_VALUE).handler(this::guard).failureHandler(this::failed);
            // the last route of Camel's sub-router: whatever no Camel route matched ends here
            router.route().last().handler(this::notFound);
        }
    }

    private void guard(RoutingContext ctx) {
        idle.track(ctx);
        guard.handle(ctx);
    }

    /**
     * Failures Vert.x raises before or around a route: a body over the limit (413), a request it could not read (a
     * bad escape in the path, a broken form: 4xx), a client that left meanwhile. These are the client's doing, so
     * they are answered in the door's shape, or not at all when nobody is left to answer, and never logged as
     * errors: a flood of bad requests must not become a flood of stack traces. A route's own failure (a bug) goes
     * on to Vert.x, which answers 500 and logs it.
     */
    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            refusals.send(
                    ctx,
                    413,
                    "request_too_large",
                    "The request body is larger than Cortex accepts (" + settings.maxBodyBytes()
                            + " bytes, camel.server.max-body-size).");
        } else if (ctx.response().closed()) {
            LOG.debug("A client left before its request was answered: {}", String.valueOf(ctx.failure()));
        } else if (status >= 400 && status < 500) {
            refusals.send(ctx, status, "invalid_request", "The request could not be read (HTTP " + status + ").");
        } else {
            ctx.next();
        }
    }

    private void notFound(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        refusals.send(ctx, 404, "not_found", "No such endpoint: " + request.method() + " " + request.path());
    }
}
