package dev.cortex.http;

import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import dev.cortex.api.ErrorBodies;

/**
 * The platform-http engine Cortex binds as {@code platform-http-engine}: Vert.x as usual, with consumers that let a
 * route stream its own response ({@link StreamingHttpConsumer}), and a 404 in the caller's API shape for paths no
 * route serves.
 */
public final class StreamingHttpEngine extends VertxPlatformHttpEngine {

    private final AtomicBoolean notFoundInstalled = new AtomicBoolean();

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        String routerName = VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort());
        return new StreamingHttpConsumer(
                endpoint, processor, getHandlers(), routerName, () -> installNotFoundHandler(routerName));
    }

    private void installNotFoundHandler(String routerName) {
        if (notFoundInstalled.get()) {
            return;
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(), routerName);
        if (router != null && notFoundInstalled.compareAndSet(false, true)) {
            // the last route of Camel's sub-router: whatever no Camel route matched ends here
            router.route().last().handler(StreamingHttpEngine::notFound);
        }
    }

    private static void notFound(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String message = "No such endpoint: " + request.method() + " " + request.path();
        ErrorBodies.Rendered body = ErrorBodies.forPath(request.path()).render(404, "not_found", message);
        ctx.response()
                .setStatusCode(404)
                .putHeader("Content-Type", body.contentType())
                .end(body.body());
    }
}
