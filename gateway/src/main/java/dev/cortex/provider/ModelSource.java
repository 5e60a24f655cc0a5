package dev.cortex.provider;

import java.util.List;
import java.util.Optional;

import dev.cortex.chat.Needs;

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

    /**
     * Reads what the provider serves if it never could (a local server that was down at start-up): before a call, and
     * before an embedding door looks for a model by name. Choosing itself never calls the provider.
     */
    default void look() {}

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

    /** What {@code model} (without a provider prefix) can do, as configured or as the server says. */
    default Capabilities capabilities(String model) {
        return Capabilities.UNKNOWN;
    }

    /** The models a request may fall back to when the one it would get cannot serve it, in order of preference. */
    default List<String> candidates() {
        return models();
    }

    /**
     * The model that serves a request naming {@code requested} (may be null) with these needs: the requested model
     * when served and able; else the default when able; else the first candidate that is able (a larger window of the
     * same provider for a long prompt); else none, with the reason. An embedding request gets exactly the model it
     * names or none: another model's vectors would not match the caller's.
     */
    default ModelChoice choose(String requested, Needs needs) {
        if (needs.embeddings()) {
            if (requested == null || !lists(requested)) {
                return ModelChoice.none(Capabilities.OTHER_EMBEDDING_MODEL);
            }
            return capabilities(requested)
                    .lacks(needs)
                    .map(ModelChoice::none)
                    .orElseGet(() -> ModelChoice.of(requested));
        }
        String preferred = select(requested);
        Optional<String> preferredLacks = capabilities(preferred).lacks(needs);
        if (preferredLacks.isEmpty()) {
            return ModelChoice.of(preferred);
        }
        if (requested != null && !requested.isBlank()) {
            String fallback = select(null);
            if (capabilities(fallback).lacks(needs).isEmpty()) {
                return ModelChoice.of(fallback);
            }
        }
        boolean tooSmallOnly = false;
        for (String model : candidates()) {
            Optional<String> lacks = capabilities(model).lacks(needs);
            if (lacks.isEmpty()) {
                return ModelChoice.of(model);
            }
            tooSmallOnly |= lacks.get().equals(Capabilities.CONTEXT_TOO_SMALL);
        }
        // a model able to do everything asked but too small says more than the default's first missing capability
        return ModelChoice.none(tooSmallOnly ? Capabilities.CONTEXT_TOO_SMALL : preferredLacks.get());
    }

    /** The size of a model in bytes where known (0 otherwise), for the Ollama-style model list. */
    default long sizeBytes(String model) {
        return 0;
    }
}
