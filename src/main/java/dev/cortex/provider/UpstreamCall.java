package dev.cortex.provider;

import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import dev.cortex.chat.ChatResult;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.ReplyStream;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.Usage;
import dev.cortex.routing.ChatContext;
import dev.cortex.routing.UpstreamError;

/**
 * One streaming call to one provider with one key, from request to the end of its stream.
 *
 * <p>Everything happens on one Vert.x event loop: response callbacks, timers, and the relay of tokens to the caller.
 * The chain's thread only waits on {@link #settled()}, which completes at the commit point (the first content token
 * for a streaming caller; the end of the answer otherwise) or fails with the {@link UpstreamError} while failing over
 * is still possible. After the commit point no thread is held: a failure then ends the caller's stream with an
 * explicit error and is reported through {@link CallEvents#ended} (the provider's breaker counts it).
 */
final class UpstreamCall implements StreamListener {

    private final Vertx vertx;
    private final Context context;
    private final HttpClient client;
    private final ProviderAdapter adapter;
    private final Timeouts timeouts;
    private final ChatContext chat;
    private final String provider;
    private final CallEvents events;
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();

    // confined to the event loop of `context`
    private String model;
    private HttpClientRequest request;
    private HttpClientResponse response;
    private StreamDecoder decoder;
    private boolean committed;
    private boolean finished;
    private long firstTokenTimer = -1;
    private long idleTimer = -1;
    private long totalTimer = -1;
    private final StringBuilder text = new StringBuilder();
    private FinishReason finishReason = FinishReason.STOP;
    private Usage usage = Usage.NONE;

    UpstreamCall(Vertx vertx, HttpClient client, ProviderAdapter adapter, Timeouts timeouts, ChatContext chat,
                 String provider, String model, CallEvents events) {
        this.vertx = vertx;
        // the caller's event loop when called from a platform-http worker: the relay then never changes threads
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.adapter = adapter;
        this.timeouts = timeouts;
        this.chat = chat;
        this.provider = provider;
        this.model = model;
        this.events = events;
    }

    /** Completes at the commit point; fails with {@link UpstreamFailedException} before it. */
    CompletableFuture<Void> settled() {
        return settled;
    }

    void start(String url, UpstreamRequest upstream) {
        context.runOnContext(v -> send(url, upstream));
    }

    private void send(String url, UpstreamRequest upstream) {
        totalTimer = vertx.setTimer(timeouts.total().toMillis(),
                t -> fail(UpstreamError.of(UpstreamError.Kind.TOTAL_TIMEOUT, "no complete answer within " + timeouts.total())));
        firstTokenTimer = vertx.setTimer(timeouts.firstToken().toMillis(),
                t -> fail(UpstreamError.of(UpstreamError.Kind.FIRST_TOKEN_TIMEOUT, "no first token within " + timeouts.firstToken())));
        if (chat.streaming()) {
            chat.stream().onClientGone(() -> context.runOnContext(v -> cancel()));
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(upstream.method())).setAbsoluteURI(url);
        upstream.headers().forEach(options::putHeader);
        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                fail(connectError(opened.cause()));
                return;
            }
            if (finished) {
                opened.result().reset();
                return;
            }
            request = opened.result();
            request.send(Buffer.buffer(upstream.body())).onComplete(answered -> {
                if (answered.failed()) {
                    fail(connectError(answered.cause()));
                } else {
                    onResponse(answered.result());
                }
            });
        });
    }

    private void onResponse(HttpClientResponse resp) {
        if (finished) {
            return;
        }
        response = resp;
        if (resp.statusCode() != 200) {
            resp.body().onComplete(body -> {
                String text = body.succeeded() ? body.result().toString() : "";
                fail(adapter.error(resp.statusCode(), resp::getHeader, text));
            });
            return;
        }
        decoder = adapter.decoder(this);
        armIdleTimer();
        resp.handler(this::onBytes);
        resp.exceptionHandler(e -> fail(UpstreamError.of(UpstreamError.Kind.CUT, "connection lost: " + e.getClass().getSimpleName())));
        resp.endHandler(v -> onEnd());
    }

    private void onBytes(Buffer buffer) {
        if (finished) {
            return;
        }
        armIdleTimer();
        try {
            decoder.feed(buffer.getBytes());
        } catch (StreamFailure f) {
            fail(f.error());
        }
    }

    private void onEnd() {
        if (finished) {
            return;
        }
        try {
            decoder.end();
        } catch (StreamFailure f) {
            fail(f.error());
            return;
        }
        finish(true, null);
        if (chat.streaming()) {
            if (!committed) {
                commit(); // a complete answer with no text at all (e.g. max_tokens reached at once)
            }
            chat.stream().complete(finishReason, usage);
        } else {
            chat.addUpstreamTime(System.nanoTime() - startNanos);
            chat.answered(new ChatResult(text.toString(), finishReason, usage, provider, model));
            chat.trail().record(provider, "ok", null);
            settled.complete(null);
        }
    }

    @Override
    public void onText(String fragment) {
        if (finished) {
            return;
        }
        if (!chat.streaming()) {
            text.append(fragment);
            firstTokenArrived();
            return;
        }
        if (!committed) {
            commit();
        }
        ReplyStream stream = chat.stream();
        stream.text(fragment);
        if (stream.congested() && response != null) {
            response.pause();
            stream.onDrain(() -> context.runOnContext(v -> response.resume()));
        }
    }

    private void commit() {
        committed = true;
        firstTokenArrived();
        chat.addUpstreamTime(System.nanoTime() - startNanos);
        chat.stream().commit(chat.commitHead(provider, model));
        settled.complete(null);
    }

    @Override
    public void onFinish(FinishReason reason) {
        finishReason = reason;
    }

    @Override
    public void onUsage(Usage reported) {
        usage = reported;
    }

    @Override
    public void onModel(String served) {
        model = served;
    }

    private void fail(UpstreamError error) {
        if (finished) {
            return;
        }
        finish(committed, error);
        if (request != null) {
            request.reset(); // drop the connection: a half-read stream cannot go back to the pool
        }
        if (!committed) {
            chat.addUpstreamTime(System.nanoTime() - startNanos);
            settled.completeExceptionally(new UpstreamFailedException(error));
        } else {
            chat.stream().fail("upstream_" + error.label(), "The provider '" + provider + "' failed mid-stream ("
                    + error.label() + "); the answer is incomplete.");
        }
    }

    /** The caller went away: stop reading and free the upstream connection. */
    private void cancel() {
        if (finished) {
            return;
        }
        finish(committed, null);
        if (request != null) {
            request.reset();
        }
        settled.completeExceptionally(new ClientGoneException());
    }

    /**
     * The call is over: stop the clocks. A call that delivered (committed, or answered in full) reports its end,
     * since its caller has handed over the rest of its life to this call; before that the caller owns the outcome.
     */
    private void finish(boolean delivered, UpstreamError error) {
        finished = true;
        cancelTimers();
        if (delivered) {
            events.ended((System.nanoTime() - startNanos) / 1_000_000, usage, error);
        }
    }

    private void armIdleTimer() {
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
        }
        idleTimer = vertx.setTimer(timeouts.idle().toMillis(),
                t -> fail(UpstreamError.of(UpstreamError.Kind.IDLE_TIMEOUT, "no data for " + timeouts.idle())));
    }

    /** The first token is here: stop its clock and tell the provider how long it took. */
    private void firstTokenArrived() {
        if (firstTokenTimer >= 0) {
            events.firstToken((System.nanoTime() - startNanos) / 1_000_000);
            cancelFirstTokenTimer();
        }
    }

    private void cancelFirstTokenTimer() {
        if (firstTokenTimer >= 0) {
            vertx.cancelTimer(firstTokenTimer);
            firstTokenTimer = -1;
        }
    }

    private void cancelTimers() {
        cancelFirstTokenTimer();
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
            idleTimer = -1;
        }
        if (totalTimer >= 0) {
            vertx.cancelTimer(totalTimer);
            totalTimer = -1;
        }
    }

    private static UpstreamError connectError(Throwable cause) {
        boolean timeout = cause instanceof ConnectTimeoutException;
        boolean refused = cause instanceof ConnectException || timeout;
        return UpstreamError.of(refused ? UpstreamError.Kind.CONNECT : UpstreamError.Kind.RESET,
                (timeout ? "connect timeout: " : "connection failed: ") + cause.getClass().getSimpleName());
    }
}
