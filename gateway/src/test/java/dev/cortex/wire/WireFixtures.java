package dev.cortex.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Providers' bodies and streams as they arrive, byte for byte, from {@code src/test/resources/wire/<provider>/}. */
final class WireFixtures {

    private WireFixtures() {}

    /** {@code groq/stream-include-usage.sse} → its text. */
    static String text(String path) {
        try (InputStream in = WireFixtures.class.getResourceAsStream("/wire/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("No wire fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String path) {
        return text(path).getBytes(StandardCharsets.UTF_8);
    }
}
