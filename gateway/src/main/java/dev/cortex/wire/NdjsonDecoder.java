package dev.cortex.wire;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.Json;
import dev.cortex.failure.StreamFailure;

/** Newline-delimited JSON framing (Ollama's native API): one object per line. */
public final class NdjsonDecoder implements StreamDecoder {

    /** One provider's reading of its objects. */
    public interface ObjectHandler {
        void onObject(JsonNode object);

        boolean complete();
    }

    private final ObjectHandler handler;
    private final LineSplitter lines = new LineSplitter(this::onLine);

    public NdjsonDecoder(ObjectHandler handler) {
        this.handler = handler;
    }

    @Override
    public void feed(byte[] bytes) {
        lines.feed(bytes);
    }

    @Override
    public void end() {
        String tail = lines.remainder();
        if (tail != null) {
            onLine(tail);
        }
        if (!handler.complete()) {
            throw StreamFailure.cut();
        }
    }

    private void onLine(String line) {
        if (line.isBlank()) {
            return;
        }
        JsonNode object;
        try {
            object = Json.parse(line);
        } catch (IOException e) {
            throw StreamFailure.malformed("a line of the stream is not JSON");
        }
        handler.onObject(object);
    }
}
