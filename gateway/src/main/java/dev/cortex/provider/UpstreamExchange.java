package dev.cortex.provider;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

import dev.cortex.chat.StreamListener;
import dev.cortex.failure.StreamFailure;
import dev.cortex.failure.UpstreamError;
import dev.cortex.wire.ProviderAdapter;
import dev.cortex.wire.StreamDecoder;
import dev.cortex.wire.UpstreamRequest;

/**
 * The HTTP side of one upstream call: sends the request, turns a refusal (any status but 200) into the wire format's
 * error facts, and feeds a 200's body to the wire format's decoder as it arrives, which tells the call's
 * {@link StreamListener} what the provider says. Confined to the call's event loop.
 */
final class UpstreamExchange {

    /** What the exchange tells its call. */
    interface Reader {
        /** False once the call is over: whatever arrives later is dropped. */
        boolean open();

        /** The provider failed: refused, unreachable, cut, or sent what its wire format does not allow. */
        void failed(UpstreamError error);

        /** Bytes of the body arrived (the provider is not idle). */
        void dataArrived();

        /** The body ended with the provider's end marker. */
        void completed();
    }

    private final HttpClient client;
    private final ResetBudget resets;
    private final ProviderAdapter adapter;
    private final Reader reader;
    private final StreamListener listener;
    private final boolean embedding;
    private HttpClientRequest request;
    private HttpClientResponse response;
    private StreamDecoder decoder;

    /** @param embedding whether the answer is an embedding response (one JSON body), not a chat stream */
    UpstreamExchange(
            HttpClient client,
            ResetBudget resets,
            ProviderAdapter adapter,
            Reader reader,
            StreamListener listener,
            boolean embedding) {
        this.client = client;
        this.resets = resets;
        this.adapter = adapter;
        this.reader = reader;
        this.listener = listener;
        this.embedding = embedding;
    }

    void send(String url, UpstreamRequest upstream) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.valueOf(upstream.method()))
                .setAbsoluteURI(url);
        upstream.headers().forEach(options::putHeader);
        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                reader.failed(UpstreamError.connectFailure(opened.cause()));
                return;
            }
            if (!reader.open()) {
                opened.result().reset();
                return;
            }
            request = opened.result();
            request.send(Buffer.buffer(upstream.body())).onComplete(answered -> {
                if (answered.failed()) {
                    reader.failed(UpstreamError.connectFailure(answered.cause()));
                } else {
                    onResponse(answered.result());
                }
            });
        });
    }

    /** Whether a body is being read, so that its reading can be held back. */
    boolean reading() {
        return response != null;
    }

    /**
     * Stops reading the body (the caller is slow) and the provider waits: over HTTP/1.1 when its TCP window fills, over
     * HTTP/2 when this stream's flow-control window does (the connection's other streams go on).
     */
    void pause() {
        response.pause();
    }

    void resume() {
        response.resume();
    }

    /**
     * A response read to its end leaves its connection to the pool; any other is reset, which is how a provider learns
     * that nobody is listening: over HTTP/1.1 the connection is dropped (a half-read response cannot be reused), over
     * HTTP/2 only this call's stream is (RST_STREAM), and the connection carries on with its other calls — unless the
     * connection has sent its budget of resets ({@link ResetBudget}): then the answer runs out, read and dropped.
     */
    void close(boolean readToTheEnd) {
        if (request == null || readToTheEnd) {
            return;
        }
        if (request.version() == HttpVersion.HTTP_2 && !resets.spend(request.connection(), System.nanoTime())) {
            if (response != null) {
                response.resume(); // held back for a slow caller, perhaps: what is left is dropped as it comes
            }
            return;
        }
        request.reset();
    }

    private void onResponse(HttpClientResponse resp) {
        if (!reader.open()) {
            return;
        }
        response = resp;
        if (resp.statusCode() != 200) {
            resp.body().onComplete(body -> {
                String text = body.succeeded() ? body.result().toString() : "";
                reader.failed(adapter.error(resp.statusCode(), resp::getHeader, text));
            });
            return;
        }
        decoder = embedding ? adapter.embedDecoder(listener) : adapter.decoder(listener);
        reader.dataArrived();
        resp.handler(this::onBytes);
        resp.exceptionHandler(e -> reader.failed(UpstreamError.of(
                UpstreamError.Kind.CUT, "connection lost: " + e.getClass().getSimpleName())));
        resp.endHandler(v -> onEnd());
    }

    private void onBytes(Buffer buffer) {
        if (!reader.open()) {
            return;
        }
        reader.dataArrived();
        try {
            decoder.feed(buffer.getBytes());
        } catch (StreamFailure f) {
            reader.failed(f.error());
        }
    }

    private void onEnd() {
        if (!reader.open()) {
            return;
        }
        try {
            decoder.end();
        } catch (StreamFailure f) {
            reader.failed(f.error());
            return;
        }
        reader.completed();
    }
}
