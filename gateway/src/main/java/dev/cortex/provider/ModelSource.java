package dev.cortex.provider;

import java.util.List;

/**
 * Which model of one provider serves a request, and getting it ready. Cloud providers serve a configured list
 * ({@link ModelCatalog}); a local provider may have to pick among what is installed and load it first.
 */
public interface ModelSource {

    /** The model to use for a request that named {@code requested} (may be null). */
    String select(String requested);

    /**
     * Makes {@code model} ready to answer, blocking until it is. Throws {@link dev.cortex.failure.ProviderFailure}
     * when it cannot be (e.g. not enough memory to load it), so the chain moves on.
     */
    default void prepare(String model) {}

    /** The models this provider can serve now, for the model lists. */
    List<String> models();

    /**
     * Whether {@code model} (without a provider prefix) is one this provider was set up to serve: its configured
     * list, or for a local server what it has installed. A gateway key without a model list of its own may use
     * exactly these.
     */
    default boolean lists(String model) {
        return models().contains(model);
    }

    /** Whether a request naming {@code requested} asks for this provider (one of its models, or {@code name/model}). */
    default boolean serves(String provider, String requested) {
        return requested != null && (requested.startsWith(provider + "/") || models().contains(requested));
    }

    /** The size of a model in bytes where known (0 otherwise), for the Ollama-style model list. */
    default long sizeBytes(String model) {
        return 0;
    }
}
