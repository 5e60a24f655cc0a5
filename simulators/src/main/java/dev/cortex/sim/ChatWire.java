package dev.cortex.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpServerResponse;

/**
 * One provider's rendering of a chat answer: what the simulator base class plays back, chunk by chunk, in this
 * provider's framing. Implemented by each simulator; the pacing and the faults live in {@link ProviderSimulator}.
 */
interface ChatWire {

    /** Ends a request with this provider's error response for {@code fault} (a status-line fault). */
    void refuse(HttpServerResponse response, Fault fault);

    String streamContentType();

    /** What the stream starts with before the first text chunk (may be empty). */
    String open(Answer answer);

    String chunk(Answer answer, String text, int index);

    /** The closing events, end marker included. */
    String close(Answer answer);

    /** An error inside a 200 stream. */
    String inStreamError(String message);

    /** A chunk that breaks the framing's JSON. */
    String malformed();

    /** The whole answer as one JSON response. */
    void complete(HttpServerResponse response, Answer answer);

    /** One answer being played: the model, the words, the token counts, and the request it answers. */
    record Answer(String id, String model, String text, int promptTokens, int completionTokens, String finishReason,
                  JsonNode request) {
    }
}
