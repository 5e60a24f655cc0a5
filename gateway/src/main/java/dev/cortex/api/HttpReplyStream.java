package dev.cortex.api;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

import dev.cortex.chat.FinishReason;
import dev.cortex.chat.ReplyStream;
import dev.cortex.chat.Usage;

/**
 * A streamed answer written straight to the client's Vert.x response: nothing is buffered beyond what the socket
 * has not taken yet, so each token leaves as soon as the provider sends it.
 */
public final class HttpReplyStream implements ReplyStream {

    /** The headers {@link #commit} sets, taken back when the head cannot go out. */
    private static final List<String> HEAD = List.of(
            "Content-Type",
            "Cache-Control",
            "X-Accel-Buffering",
            ReplyHeaders.PROVIDER,
            ReplyHeaders.MODEL,
            ReplyHeaders.ATTEMPTS,
            ReplyHeaders.OVERHEAD_MS,
            ReplyHeaders.ROUTE);

    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final StreamRenderer renderer;

    public HttpReplyStream(HttpServerRequest request, StreamRenderer renderer) {
        this.request = request;
        this.response = request.response();
        this.renderer = renderer;
    }

    /**
     * Sends the head and the stream's opening. Whatever fails here is thrown on to the provider call, which ends: the
     * response is first put back as it was when none of it has left yet, so the error reply goes out clean; once
     * some of it has, the caller cannot be told in-band, and its connection is dropped rather than left open.
     */
    @Override
    public void commit(ReplyHead head) {
        try {
            writeHead(head);
        } catch (RuntimeException headFailed) {
            try {
                takeBack();
            } catch (RuntimeException alsoFailed) {
                headFailed.addSuppressed(alsoFailed);
            }
            throw headFailed;
        }
    }

    private void writeHead(ReplyHead head) {
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", renderer.contentType())
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no") // keep reverse proxies from buffering the stream
                .putHeader(ReplyHeaders.PROVIDER, ReplyHeaders.safe(head.provider()))
                .putHeader(ReplyHeaders.MODEL, ReplyHeaders.safe(head.model()))
                .putHeader(ReplyHeaders.ATTEMPTS, ReplyHeaders.safe(head.attempts()))
                .putHeader(ReplyHeaders.OVERHEAD_MS, head.overheadMs());
        head.limitHeaders().forEach(response::putHeader);
        if (head.route() != null) {
            response.putHeader(ReplyHeaders.ROUTE, ReplyHeaders.safe(head.route()));
        }
        byte[] opening = renderer.open(head.model());
        if (opening.length > 0) {
            write(opening);
        } else if (request.version() == HttpVersion.HTTP_1_0) {
            // HTTP/1.0 has no chunks: the stream ends when the connection does. Vert.x sends such a head with the
            // first write, even an empty one, but its writeHead() refuses it (it wants a length or chunks)
            response.write(Buffer.buffer());
        } else {
            response.writeHead();
        }
    }

    private void takeBack() {
        if (response.headWritten()) {
            abandon();
            return;
        }
        HEAD.forEach(response.headers()::remove);
        response.setChunked(false);
    }

    @Override
    public void text(String text) {
        write(renderer.text(text));
    }

    @Override
    public void toolCall(int index, String id, String name, String argumentsFragment) {
        byte[] bytes = renderer.toolCall(index, id, name, argumentsFragment);
        if (bytes.length > 0) {
            write(bytes);
        }
    }

    @Override
    public void complete(FinishReason reason, Usage usage) {
        end(renderer.close(reason, usage));
    }

    @Override
    public void fail(String code, String message) {
        end(renderer.error(code, message));
    }

    /**
     * Ends the stream with its last bytes. Over HTTP/1.0 only the connection's end can tell the caller the stream
     * ended (no chunks, no length), so it is closed then, even when the caller asked to keep it alive.
     */
    private void end(byte[] last) {
        if (response.ended() || response.closed()) {
            return;
        }
        Future<Void> ended = response.end(Buffer.buffer(last));
        if (request.version() == HttpVersion.HTTP_1_0) {
            ended.onComplete(written -> request.connection().close());
        }
    }

    @Override
    public boolean congested() {
        return response.writeQueueFull();
    }

    @Override
    public void onDrain(Runnable action) {
        response.drainHandler(v -> action.run());
    }

    /**
     * Vert.x closes an HTTP/1.1 connection only after its pending writes are flushed — never, for a caller that does
     * not read. So the socket itself is reset (SO_LINGER 0: the kernel drops what is queued at once), through the
     * connection's Netty channel, which Vert.x's public API does not reach.
     */
    @Override
    public void abandon() {
        if (response.ended() || response.closed()) {
            return;
        }
        if (request.connection() instanceof ConnectionBase connection) {
            Channel channel = connection.channel();
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        } else {
            response.reset();
        }
    }

    private void write(byte[] bytes) {
        if (!response.ended() && !response.closed()) {
            response.write(Buffer.buffer(bytes));
        }
    }
}
