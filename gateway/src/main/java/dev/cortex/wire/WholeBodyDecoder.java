package dev.cortex.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.failure.StreamFailure;

/**
 * For answers that come as one JSON body, not a stream (embeddings): keeps the bytes until the body ends, then hands
 * the parsed body to the wire's reader. A body that is not JSON is a malformed answer, the provider's fault.
 */
final class WholeBodyDecoder implements StreamDecoder {

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final Consumer<JsonNode> reader;

    WholeBodyDecoder(Consumer<JsonNode> reader) {
        this.reader = reader;
    }

    @Override
    public void feed(byte[] bytes) {
        body.write(bytes, 0, bytes.length);
    }

    @Override
    public void end() {
        JsonNode parsed = WireJson.errorBody(body.toString(StandardCharsets.UTF_8));
        if (parsed.isMissingNode()) {
            throw StreamFailure.malformed("the answer is not JSON");
        }
        reader.accept(parsed);
    }
}
