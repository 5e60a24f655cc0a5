package dev.cortex.provider;

import java.util.Map;

import dev.cortex.chat.ChatContext;
import dev.cortex.chat.Needs;

/**
 * What one request asks of a provider's models, as the plan and each provider's admission see it: the model it named
 * (or null), what the model must be able to do, and for an embedding request the exact model each provider must use
 * (an embedding family's members: a provider not among them serves other vectors and is skipped).
 *
 * @param fixedModels by provider name, the one model it may answer with; empty for a chat
 */
public record ModelDemand(String requested, Needs needs, Map<String, String> fixedModels) {

    public ModelDemand {
        fixedModels = Map.copyOf(fixedModels);
    }

    /** A plain chat naming {@code model} (may be null). */
    public static ModelDemand plain(String model) {
        return new ModelDemand(model, Needs.PLAIN, Map.of());
    }

    public static ModelDemand of(ChatContext chat) {
        return new ModelDemand(chat.request().model(), chat.needs(), chat.fixedModels());
    }

    /** The model a request asks {@code provider} for: the fixed one for an embedding request, else the one named. */
    public String requestedAt(String provider) {
        return needs.embeddings() ? fixedModels.get(provider) : requested;
    }
}
