package dev.cortex.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport;
import org.apache.camel.spi.HeaderFilterStrategy;

import dev.cortex.access.Caller;

/**
 * A platform-http consumer that lets a route take over its HTTP response.
 *
 * <p>Camel's own consumer writes the exchange's message as the response once the route has returned. A token stream
 * cannot work that way without holding a thread for the whole stream: Camel would pump it through a blocking
 * {@code InputStream} read on a worker thread, 16 KB at a time. Cortex instead sends the response head and the first
 * tokens from the route at the moment a provider commits, then relays the rest on the event loop, and lets the route
 * return. This consumer therefore does what Camel's does, except that when the route has already sent the response
 * head it leaves the response alone: the stream owns it.
 *
 * <p>It also runs the route as Camel's asynchronous routing engine allows: a worker thread carries the request up to
 * its provider call and is then let go; the route goes on where that call settles. So a request waiting on a
 * provider holds no thread, and the bound on requests in flight ({@link WorkerGate}) is a bound on memory.
 */
final class StreamingHttpConsumer extends VertxPlatformHttpConsumer {

    /** Camel's own response writer (package-private in 4.18.0), used for every response a route did not send. */
    private static final MethodHandle CAMEL_WRITE_RESPONSE = camelResponseWriter();

    /** Group of the routes that run on the operator's workers (health, metrics, route explainer, restore). */
    static final String OPERATOR_GROUP = "operator";

    /** What every consumer of one server shares: the chat workers' bound, the operator's workers, refusals. */
    record Door(WorkerGate chatWorkers, WorkerExecutor operatorWorkers, DoorRefusals refusals) {}

    private final Door door;
    private final Runnable onStarted;
    private volatile Boolean operator;

    StreamingHttpConsumer(
            PlatformHttpEndpoint endpoint,
            Processor processor,
            List<Handler<RoutingContext>> handlers,
            String routerName,
            Door door,
            Runnable onStarted) {
        super(endpoint, processor, handlers, routerName);
        this.door = door;
        this.onStarted = onStarted;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        onStarted.run();
    }

    /**
     * Whether this consumer's route is one of the operator's. Camel's platform-http consumer wraps this one and keeps
     * the route to itself, and the route is listed only once started: found by endpoint, at the first request.
     */
    private boolean operator() {
        Boolean known = operator;
        if (known == null) {
            known = getEndpoint().getCamelContext().getRoutes().stream()
                    .filter(route -> route.getEndpoint() == getEndpoint())
                    .anyMatch(route -> OPERATOR_GROUP.equals(route.getGroup()));
            operator = known;
        }
        return known;
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended() || getEndpoint().isHttpProxy()) {
            super.handleRequest(ctx);
            return;
        }
        boolean operator = operator();
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        exchange.setProperty(Caller.PROPERTY, FrontDoorGuard.caller(ctx));
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(exchange, ctx, read.cause());
                return;
            }
            if (!operator && !door.chatWorkers().tryEnter()) {
                door.refusals()
                        .send(
                                ctx,
                                503,
                                "overloaded",
                                "Cortex is serving as many requests as it can; retry shortly.",
                                "Retry-After",
                                "1");
                releaseExchange(exchange, false); // no unit of work was begun for it
                return;
            }
            // the route runs on a worker until it waits for a provider; it goes on, and ends, wherever that call
            // settles, and the response is written back on this connection's event loop
            Context connection = Vertx.currentContext();
            AtomicBoolean over = new AtomicBoolean();
            Handler<Throwable> routeDone = failure -> {
                if (over.compareAndSet(false, true)) {
                    connection.runOnContext(v -> respond(ctx, exchange, operator, failure));
                }
            };
            Callable<Void> route = () -> {
                createUoW(exchange);
                getAsyncProcessor().process(exchange, doneSync -> routeDone.handle(null));
                return null;
            };
            Future<Void> started = operator
                    ? door.operatorWorkers().executeBlocking(route, false)
                    : ctx.vertx().executeBlocking(route, false);
            started.onFailure(routeDone);
        });
    }

    /** The route is over: the response goes out, unless the route sent it itself. */
    private void respond(RoutingContext ctx, Exchange exchange, boolean operator, Throwable failure) {
        if (!operator) {
            door.chatWorkers().leave(); // the request's place is free again, whatever the route did
        }
        if (ctx.response().headWritten()) {
            done(exchange); // the route sent this response itself (a stream in flight, or already finished)
        } else if (failure != null) {
            fail(exchange, ctx, failure);
        } else {
            writeCamelResponse(ctx, exchange).onComplete(written -> {
                if (written.failed()) {
                    fail(exchange, ctx, written.cause());
                } else {
                    done(exchange);
                }
            });
        }
    }

    private Future<Void> writeCamelResponse(RoutingContext ctx, Exchange exchange) {
        PlatformHttpEndpoint endpoint = getEndpoint();
        Message out = exchange.getMessage();
        if (out.getBody() instanceof byte[] bytes) {
            // Camel's writer would stream a byte[] through an InputStream read on a worker thread: a response would
            // then wait for a free worker to be written, which under full load never comes. A Vert.x buffer is
            // written at once, here on the event loop.
            out.setBody(Buffer.buffer(bytes));
        }
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
