package dev.cortex.api;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import dev.cortex.chat.Json;
import dev.cortex.status.RequestFeed;
import dev.cortex.status.RequestSummary;

/**
 * {@code GET /api/status/events}: the last requests, then each new one as it ends, as server-sent events ({@code
 * event: request}, the summary as JSON; {@code event: live} between the recent ones and the news). The route returns
 * at once: the stream is written straight to the Vert.x response from the thread that publishes (a worker finishing a
 * request, or an event loop ending a stream), so no thread waits on a watching page. A page that does not keep up — its socket's write queue full — is disconnected
 * rather than buffered for; it reconnects and starts again from the recent list.
 */
public final class StatusEvents implements Processor {

    private final RequestFeed feed;
    private final Vertx vertx;
    private final long heartbeatMillis;

    /** @param heartbeatMillis how often an idle stream gets a comment line, so the connection is not idle-closed */
    public StatusEvents(RequestFeed feed, Vertx vertx, long heartbeatMillis) {
        this.feed = feed;
        this.vertx = vertx;
        this.heartbeatMillis = heartbeatMillis;
    }

    @Override
    public void process(Exchange exchange) {
        HttpMessage http = exchange.getIn(HttpMessage.class);
        if (http == null) {
            throw new IllegalStateException("The status feed serves HTTP requests only");
        }
        EventStream stream = new EventStream(http.getResponse());
        if (!feed.watch(stream)) {
            Message out = exchange.getMessage();
            out.removeHeaders("*");
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
            out.setHeader("Retry-After", 5);
            out.setHeader(Exchange.CONTENT_TYPE, "application/json");
            out.setBody(Json.bytes(Json.object()
                    .put("error", "too_many_watchers")
                    .put("message", "As many status pages as allowed watch the feed already.")));
        }
    }

    /** One page's stream. {@link #start} and {@link #send} run under the feed's lock: they only queue bytes. */
    private final class EventStream implements RequestFeed.Watcher {

        private final HttpServerResponse response;
        private volatile long heartbeat = -1; // set under the feed's lock, cancelled from the event loop

        EventStream(HttpServerResponse response) {
            this.response = response;
        }

        @Override
        public void start(List<RequestSummary> recent) {
            response.setStatusCode(200)
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            response.closeHandler(closed -> stop());
            response.exceptionHandler(failed -> stop());
            StringBuilder first = new StringBuilder();
            recent.forEach(s -> first.append(event(s)));
            first.append("event: live\ndata: {}\n\n"); // the recent ones are sent: what follows is news
            response.write(Buffer.buffer(first.toString().getBytes(StandardCharsets.UTF_8)));
            heartbeat = vertx.setPeriodic(heartbeatMillis, tick -> write(": still here\n\n"));
        }

        @Override
        public void send(RequestSummary summary) {
            write(event(summary));
        }

        private void write(String text) {
            if (response.closed() || response.ended()) {
                stop();
            } else if (response.writeQueueFull()) {
                stop();
                response.reset(); // a page that does not read: dropped, not buffered for
            } else {
                response.write(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)));
            }
        }

        private void stop() {
            feed.leave(this);
            if (heartbeat >= 0) {
                vertx.cancelTimer(heartbeat);
            }
        }

        private static String event(RequestSummary summary) {
            return "event: request\ndata: " + summary.toJson() + "\n\n";
        }
    }
}
