package dev.cortex.provider;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PfxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Over TLS a provider's client offers h2 by ALPN and takes HTTP/1.1 from a server that does not speak h2; with HTTP/2
 * off it offers HTTP/1.1 only. The servers here are Vert.x with a self-signed certificate, which the test's client
 * trusts (the options are Cortex's own, plus that trust: Cortex itself trusts the JDK's authorities only).
 */
class UpstreamHttpAlpnTest {

    static Vertx vertx;
    static HttpServer h2AndHttp11;
    static HttpServer http11Only;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        h2AndHttp11 = tlsServer(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
        http11Only = tlsServer(List.of(HttpVersion.HTTP_1_1));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * A self-signed certificate made by the JDK's keytool (Netty's own generator needs Bouncy Castle's PKIX classes or
     * JDK internals that Java 17 does not export).
     */
    private static PfxOptions selfSigned() throws Exception {
        Path store = Files.createTempDirectory("cortex-tls-").resolve("server.p12");
        store.toFile().deleteOnExit();
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(
                        keytool,
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        "test-only",
                        "-keypass",
                        "test-only")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("keytool ended").isTrue();
        assertThat(process.exitValue()).as("keytool: " + output).isZero();
        return new PfxOptions().setPath(store.toString()).setPassword("test-only");
    }

    private static HttpServer tlsServer(List<HttpVersion> versions) throws Exception {
        return vertx.createHttpServer(new HttpServerOptions()
                        .setSsl(true)
                        .setKeyCertOptions(selfSigned())
                        .setUseAlpn(true)
                        .setAlpnVersions(versions))
                .requestHandler(
                        request -> request.response().end(request.version().name()))
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static ProviderSettings settings(HttpServer server, ProviderSettings.Http2 http2) {
        ProviderSettings s = new ProviderSettings("tls");
        s.setKind(ProviderSettings.Kind.OPENAI);
        s.setBaseUrl("https://127.0.0.1:" + server.actualPort());
        s.setModels("m");
        s.setHttp2(http2);
        return s.validate();
    }

    /** The protocol a call over Cortex's client options came over. */
    private static HttpVersion call(ProviderSettings s) throws Exception {
        HttpClient client = vertx.createHttpClient(
                UpstreamHttp.options(s).setTrustAll(true).setVerifyHost(false), UpstreamHttp.pool(s, 4));
        try {
            return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(s.baseUrl() + "/"))
                    .compose(request -> request.send())
                    .compose(response -> response.body().map(body -> {
                        assertThat(body.toString()).isEqualTo(response.version().name());
                        return response.version();
                    }))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void autoNegotiatesH2WithAServerThatOffersIt() throws Exception {
        assertThat(call(settings(h2AndHttp11, ProviderSettings.Http2.AUTO))).isEqualTo(HttpVersion.HTTP_2);
    }

    @Test
    void autoFallsBackToHttp11WithAServerThatDoesNotSpeakH2() throws Exception {
        assertThat(call(settings(http11Only, ProviderSettings.Http2.AUTO))).isEqualTo(HttpVersion.HTTP_1_1);
    }

    @Test
    void offKeepsToHttp11EvenWhereH2IsOffered() throws Exception {
        assertThat(call(settings(h2AndHttp11, ProviderSettings.Http2.OFF))).isEqualTo(HttpVersion.HTTP_1_1);
    }

    @Test
    void h2cIsRefusedForAnHttpsBaseUrl() {
        assertThatThrownBy(() -> settings(h2AndHttp11, ProviderSettings.Http2.H2C))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("provider.tls.http2");
    }

    @Test
    void http2ConnectionsAreEnoughForTheBulkheadUnlessSet() {
        ProviderSettings s = settings(h2AndHttp11, ProviderSettings.Http2.AUTO);
        s.setMaxConcurrent(256);
        assertThat(s.http2MaxConnections()).as("256 calls at 100 a connection").isEqualTo(3);
        s.setHttp2MaxConnections(8);
        assertThat(s.http2MaxConnections()).isEqualTo(8);
    }
}
