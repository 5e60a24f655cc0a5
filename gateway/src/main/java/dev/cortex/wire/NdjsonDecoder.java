package dev.cortex.wire;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.Json;
import dev.cortex.failure.StreamFailure;

/** Newline-delimited JSON framing (Ollama's native API): one object per line. */
public final class NdjsonDecoder extends LineFramedDecoder {

    /** One provider's reading of its objects. */
    public interface ObjectHandler {
        void onObject(JsonNode object);

        boolean complete();
    }

    private final ObjectHandler handler;

    public NdjsonDecoder(ObjectHandler handler) {
        this.handler = handler;
    }

    @Override
    boolean endMarkerSeen() {
        return handler.complete();
    }

    @Override
    void onLine(String line) {
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
