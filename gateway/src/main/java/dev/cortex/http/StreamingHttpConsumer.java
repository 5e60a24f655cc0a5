package dev.cortex.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * A platform-http consumer that lets a route take over its HTTP response.
 *
 * <p>Camel's own consumer writes the exchange's message as the response once the route has returned. A token stream
 * cannot work that way without holding a thread for the whole stream: Camel would pump it through a blocking
 * {@code InputStream} read on a worker thread, 16 KB at a time. Cortex instead sends the response head and the first
 * tokens from the route at the moment a provider commits, then relays the rest on the event loop, and lets the route
 * return. This consumer therefore does what Camel's does, except that when the route has already sent the response
 * head it leaves the response alone: the stream owns it.
 */
final class StreamingHttpConsumer extends VertxPlatformHttpConsumer {

    /** Camel's own response writer (package-private in 4.18.0), used for every response a route did not send. */
    private static final MethodHandle CAMEL_WRITE_RESPONSE = camelResponseWriter();

    private final Runnable onStarted;

    StreamingHttpConsumer(
            PlatformHttpEndpoint endpoint,
            Processor processor,
            List<Handler<RoutingContext>> handlers,
            String routerName,
            Runnable onStarted) {
        super(endpoint, processor, handlers, routerName);
        this.onStarted = onStarted;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        onStarted.run();
    }

    /**
     * Every Cortex endpoint takes JSON. Camel leaves the body out for form-encoded requests, but {@code curl -d}
     * sends JSON labelled as a form: keep the raw bytes as the body whatever the label says.
     */
    @Override
    protected Future<Void> populateCamelMessage(RoutingContext ctx, Exchange exchange, Message message) {
        return super.populateCamelMessage(ctx, exchange, message).map(v -> {
            if (message.getBody() == null && ctx.body() != null && ctx.body().buffer() != null) {
                message.setBody(ctx.body().buffer());
            }
            return null;
        });
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended() || getEndpoint().isHttpProxy()) {
            super.handleRequest(ctx);
            return;
        }
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(exchange, ctx, read.cause());
                return;
            }
            ctx.vertx()
                    .executeBlocking(
                            () -> {
                                createUoW(exchange);
                                getProcessor().process(exchange);
                                return null;
                            },
                            false)
                    .onComplete(processed -> {
                        if (ctx.response().headWritten()) {
                            done(exchange); // the route sent this response itself (a stream in flight, or already
                            // finished)
                        } else if (processed.failed()) {
                            fail(exchange, ctx, processed.cause());
                        } else {
                            writeCamelResponse(ctx, exchange).onComplete(written -> {
                                if (written.failed()) {
                                    fail(exchange, ctx, written.cause());
                                } else {
                                    done(exchange);
                                }
                            });
                        }
                    });
        });
    }

    private Future<Void> writeCamelResponse(RoutingContext ctx, Exchange exchange) {
        PlatformHttpEndpoint endpoint = getEndpoint();
        try {
            @SuppressWarnings("unchecked")
            Future<Void> written = (Future<Void>) CAMEL_WRITE_RESPONSE.invoke(
                    ctx, exchange, endpoint.getHeaderFilterStrategy(), endpoint.isMuteException());
            return written;
        } catch (Throwable t) {
            return Future.failedFuture(t);
        }
    }

    private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
        getExceptionHandler()
                .handleException(
                        "Failed handling platform-http endpoint "
                                + getEndpoint().getPath(),
                        failure);
        if (!ctx.response().headWritten()) {
            ctx.fail(failure);
        } else if (!ctx.response().ended()) {
            ctx.response().reset();
        }
        done(exchange);
    }

    private void done(Exchange exchange) {
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }

    private static MethodHandle camelResponseWriter() {
        try {
            return MethodHandles.privateLookupIn(VertxPlatformHttpSupport.class, MethodHandles.lookup())
                    .findStatic(
                            VertxPlatformHttpSupport.class,
                            "writeResponse",
                            MethodType.methodType(
                                    Future.class,
                                    RoutingContext.class,
                                    Exchange.class,
                                    HeaderFilterStrategy.class,
                                    boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("camel-platform-http-vertx changed its response writer: " + e);
        }
    }
}
