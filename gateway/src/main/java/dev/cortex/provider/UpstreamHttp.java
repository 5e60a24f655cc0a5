package dev.cortex.provider;

import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;

/**
 * The HTTP client of one provider. One per provider, on the one Vert.x instance: whether and how a provider speaks
 * HTTP/2 is its own setting ({@link ProviderSettings#http2()}), and its connections are its own to bound.
 *
 * <p>Over HTTP/1.1 a call holds a connection for its whole length; over HTTP/2 it holds one stream, and up to
 * {@link ProviderSettings#http2MaxStreams()} calls share a connection. Each stream keeps its own flow-control window:
 * a paused response (a slow caller) stops crediting its stream only, so the provider holds back that stream while the
 * others on the connection flow, and a reset (a caller gone) ends that stream, not the connection.
 */
public final class UpstreamHttp {

    private UpstreamHttp() {}

    /** The provider's client; {@code http1MaxConnections} bounds its HTTP/1.1 pool. */
    public static HttpClient client(Vertx vertx, ProviderSettings s, int http1MaxConnections) {
        return vertx.createHttpClient(options(s), pool(s, http1MaxConnections));
    }

    /** How the provider is connected to, HTTP/2 included. */
    public static HttpClientOptions options(ProviderSettings s) {
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) s.timeouts().connect().toMillis())
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setTryUseCompression(false) // tokens must pass as they come, not wait for a deflate block
                .setIdleTimeout(60);
        if (!s.usesHttp2()) {
            return options.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
        int streamWindow = Http2Settings.DEFAULT_INITIAL_WINDOW_SIZE;
        return options.setProtocolVersion(HttpVersion.HTTP_2)
                // over TLS: offer h2, take http/1.1 from a server that does not speak it
                .setUseAlpn(true)
                // over plain http (h2c only, see usesHttp2): prior knowledge, no Upgrade round trip on the first call
                .setHttp2ClearTextUpgrade(false)
                .setHttp2MultiplexingLimit(s.http2MaxStreams())
                // the connection's window is shared by its streams: room for every stream's own window, so that
                // streams paused for slow callers, each holding its window's worth unread, cannot stall the others
                .setHttp2ConnectionWindowSize(streamWindow * s.http2MaxStreams())
                .setInitialSettings(new Http2Settings().setInitialWindowSize(streamWindow))
                .setHttp2KeepAliveTimeout(60);
    }

    /** HTTP/1.1 connections up to {@code http1MaxConnections}; HTTP/2 connections up to the provider's own bound. */
    public static PoolOptions pool(ProviderSettings s, int http1MaxConnections) {
        return new PoolOptions().setHttp1MaxSize(http1MaxConnections).setHttp2MaxSize(s.http2MaxConnections());
    }
}
