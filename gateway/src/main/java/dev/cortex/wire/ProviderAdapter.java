package dev.cortex.wire;

import java.util.Optional;
import java.util.function.Function;

import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.EmbeddingRequest;
import dev.cortex.chat.StreamListener;
import dev.cortex.failure.UpstreamError;

/**
 * One provider's wire format, and nothing else: how a chat request looks on its wire, how its stream reads, and what
 * its error responses say. Cortex always streams from providers, so that the first-token and idle timeouts protect
 * callers who asked for one complete answer too.
 */
public interface ProviderAdapter {

    /** The streaming chat call for {@code model}, authenticated with {@code apiKey} (empty for keyless providers). */
    UpstreamRequest chatRequest(ChatRequest request, String model, String apiKey);

    /**
     * The embedding call for {@code model}, or empty when this provider's wire has no embeddings (Groq): the chain
     * then never routes an embedding request to it.
     */
    default Optional<UpstreamRequest> embedRequest(EmbeddingRequest request, String model, String apiKey) {
        return Optional.empty();
    }

    /**
     * A decoder for one embedding response (a whole JSON body, see {@link WholeBodyDecoder}): it reports the vectors
     * through {@link StreamListener#onEmbeddings}, and usage and model where the provider says them.
     */
    default StreamDecoder embedDecoder(StreamListener listener) {
        throw new UnsupportedOperationException("this provider has no embeddings");
    }

    /** A cheap call that proves the provider is up without billing tokens (its model list). */
    UpstreamRequest probeRequest(String apiKey);

    /** A decoder for one streaming response body. */
    StreamDecoder decoder(StreamListener listener);

    /** The facts of a non-200 response: status, the provider's code, its retry hint, whether it is a quota. */
    UpstreamError error(int status, Function<String, String> header, String body);
}
