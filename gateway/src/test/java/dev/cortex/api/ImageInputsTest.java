package dev.cortex.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.chat.ImageInput;
import dev.cortex.failure.BadRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Images become bytes at the front door: data URLs checked, http URLs fetched only when allowed and within limits. */
class ImageInputsTest {

    /** A 1x1 PNG. */
    private static final String PNG =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    private static final int LIMIT = 1024;
    private static final String FIELD = "messages[0].content[1].image_url.url";

    static HttpServer server;
    /** Bytes the oversize endpoint managed to write before the reader stopped taking them. */
    static final AtomicLong streamed = new AtomicLong();

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cat.png", x -> {
            byte[] png = Base64.getDecoder().decode(PNG);
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, png.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(png);
            }
        });
        server.createContext("/page.html", x -> {
            x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            x.sendResponseHeaders(200, 4);
            try (OutputStream out = x.getResponseBody()) {
                out.write("<p/>".getBytes());
            }
        });
        server.createContext(
                "/endless.png",
                x -> { // chunked, no length: only reading tells it is too large
                    x.getResponseHeaders().add("Content-Type", "image/png");
                    x.sendResponseHeaders(200, 0);
                    try (OutputStream out = x.getResponseBody()) {
                        for (int i = 0; i < 100_000; i++) {
                            out.write(new byte[1024]);
                            streamed.addAndGet(1024);
                        }
                    } catch (IOException hungUp) {
                        // expected: the reader stops at the limit
                    }
                });
        server.createContext("/missing.png", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static ImageInputs fetching() {
        return new ImageInputs(true, LIMIT, Duration.ofSeconds(5));
    }

    @Test
    void aDataUrlIsDecodedAndChecked() {
        ImageInput image = ImageInputs.DEFAULTS.fromUrl("data:image/png;base64," + PNG, FIELD);
        assertThat(image.mediaType()).isEqualTo("image/png");
        assertThat(image.base64()).isEqualTo(PNG);

        assertRefused(() -> ImageInputs.DEFAULTS.fromUrl("data:image/png;base64,not*base64!", FIELD), 400, "base64");
        assertRefused(
                () -> ImageInputs.DEFAULTS.fromUrl("data:text/plain;base64,aGk=", FIELD), 400, "must hold an image");
        assertRefused(() -> ImageInputs.DEFAULTS.fromUrl("data:image/png,rawbytes", FIELD), 400, "base64 data URL");
        assertRefused(() -> ImageInputs.DEFAULTS.fromUrl("ftp://example.com/a.png", FIELD), 400, "http(s) URL");
        String large = Base64.getEncoder().encodeToString(new byte[LIMIT + 1]);
        assertRefused(
                () -> new ImageInputs(false, LIMIT, Duration.ofSeconds(1))
                        .fromUrl("data:image/png;base64," + large, FIELD),
                413,
                LIMIT + " bytes");
    }

    @Test
    void urlsAreNotFetchedUnlessAllowed() {
        assertRefused(() -> ImageInputs.DEFAULTS.fromUrl(url("/cat.png"), FIELD), 400, "send the image as a data URL");
    }

    @Test
    void anAllowedFetchTakesOnlyImagesWithinTheLimit() {
        ImageInput image = fetching().fromUrl(url("/cat.png"), FIELD);
        assertThat(image.mediaType()).isEqualTo("image/png");
        assertThat(image.base64()).isEqualTo(PNG);

        assertRefused(() -> fetching().fromUrl(url("/page.html"), FIELD), 400, "text/html");
        assertRefused(() -> fetching().fromUrl(url("/missing.png"), FIELD), 400, "404");
        assertRefused(() -> fetching().fromUrl(url("/endless.png"), FIELD), 413, LIMIT + " bytes");
        assertThat(streamed.get())
                .as("the reader stopped near the limit, not at the end of a 100 MB body")
                .isLessThan(10L * 1024 * 1024);
    }

    @Test
    void bareBase64IsKnownByItsSignature() {
        assertThat(ImageInputs.DEFAULTS.fromBase64(PNG, "messages[0].images[0]").mediaType())
                .isEqualTo("image/png");
        assertRefused(
                () -> ImageInputs.DEFAULTS.fromBase64(
                        Base64.getEncoder().encodeToString("hello, not an image".getBytes()), "messages[0].images[0]"),
                400,
                "not a PNG, JPEG, GIF or WebP");
    }

    private static void assertRefused(Runnable call, int status, String says) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(BadRequestException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.param()).isIn(FIELD, "messages[0].images[0]");
            assertThat(e.getMessage()).contains(says);
        });
    }
}
