package dev.cortex.sim;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpServerRequest;

/**
 * One provider's wire format, all of it: which requests are chats, how a chat request reads (and which ones the
 * provider rejects), its error bodies, its answer and its stream framing. It builds bodies and frames; the
 * {@link ProviderSimulator} it belongs to serves them, with the pacing, the faults and the recording every provider
 * shares.
 */
interface ChatWire {

    /** The provider's name, for logs and banners. */
    String name();

    /** What follows the origin in the provider's base URL (e.g. {@code /openai/v1}), or "". */
    String pathPrefix();

    /** The models served until told otherwise. */
    List<String> defaultModels();

    /** The key a request carries the provider's way, or null. */
    String apiKey(HttpServerRequest request);

    /** Whether the provider requires a key at all (Ollama does not). */
    default boolean needsKey() {
        return true;
    }

    /** Headers on every response (Groq's rate-limit headers). */
    default Map<String, String> headers() {
        return Map.of();
    }

    boolean isChat(HttpServerRequest request);

    /**
     * Reads a chat request.
     *
     * @param body null when the body is not JSON
     * @throws WireReply.Refused with the provider's 400 (or, for Gemini, 403 without a key)
     */
    ChatRequest read(HttpServerRequest request, JsonNode body);

    /** The provider's 404 for a model it does not serve. */
    WireReply unknownModel(ChatRequest chat);

    /** The provider's error response for a fault refused before any byte of an answer. */
    WireReply refusal(Fault fault, String model);

    /** Anything but a chat: model lists, unknown paths. */
    WireReply other(HttpServerRequest request, List<String> models);

    String streamContentType();

    /** What the stream starts with before the first text chunk (may be empty). */
    String open(Answer answer);

    String chunk(Answer answer, String text, int index);

    /** The closing events, end marker included. */
    String close(Answer answer);

    /** An error inside a 200 stream. */
    String inStreamError(String message);

    /** A chunk that breaks the framing's JSON (deliberately not built with Jackson: it is broken). */
    String malformed();

    /** The whole answer as one JSON response, its tool calls included. */
    JsonNode complete(Answer answer);

    /**
     * The stream events of the answer's tool calls, sent after its text chunks and before {@link #close} (which then
     * says why the turn ended: the provider's word for tool calls).
     */
    default List<String> toolCallFrames(Answer answer) {
        return List.of();
    }

    /** Whether the request is one for embeddings (a wire without them says no). */
    default boolean isEmbedding(HttpServerRequest request) {
        return false;
    }

    /**
     * Reads an embedding request: the model and the texts.
     *
     * @throws WireReply.Refused with the provider's 400
     */
    default EmbedRequest readEmbedding(HttpServerRequest request, JsonNode body) {
        throw new UnsupportedOperationException(name() + " has no embeddings");
    }

    /** The provider's answer with one vector per input, in order. */
    default JsonNode embeddings(EmbedRequest request, List<float[]> vectors) {
        throw new UnsupportedOperationException(name() + " has no embeddings");
    }

    /**
     * An embedding request as a wire read it.
     *
     * @param dimensions the vector length asked for, or null
     */
    record EmbedRequest(String model, List<String> inputs, Integer dimensions, JsonNode body) {}

    /**
     * One answer being played.
     *
     * @param blocked the finish reason of a {@link Fault.EmptyAnswer}, or null
     */
    record Answer(
            String id,
            String model,
            Generation generation,
            int promptTokens,
            String blocked,
            JsonNode request,
            List<Asks.Call> toolCalls) {

        Answer(String id, String model, Generation generation, int promptTokens, String blocked, JsonNode request) {
            this(id, model, generation, promptTokens, blocked, request, List.of());
        }

        boolean callsTools() {
            return !toolCalls.isEmpty();
        }

        String text() {
            return generation.text();
        }

        int completionTokens() {
            return generation.tokens();
        }

        Generation.Finish finish() {
            return generation.finish();
        }
    }
}
