package dev.cortex.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.RoutePreference;
import dev.cortex.failure.AccessRefusedException;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;

/**
 * Applies one gateway key's policy to a request's route. What the caller named outright (a provider, a model) and
 * the key does not cover is refused with 403, naming it; a provider the key rules out is left out of the plan with
 * the reason, so {@code GET /api/route} and {@code X-Cortex-Route} say why the cloud was skipped.
 */
final class KeyPolicyFilter {

    static final String NOT_ALLOWED = "not allowed for key";
    static final String LOCAL_ONLY = "key is local only";
    static final String MODEL_NOT_ALLOWED = "model not allowed for key";
    static final String BUDGET_SPENT = "budget spent";

    private final ProviderRegistry providers;

    KeyPolicyFilter(ProviderRegistry providers) {
        this.providers = providers;
    }

    /** Refuses (403) a request that names a provider or a model outside its key's policy. */
    void checkNamed(AccessPolicy policy, RoutePreference preference, String model, List<String> listed) {
        for (String name : preference.providers()) {
            providers.get(name).ifPresent(p -> {
                String reason = providerRuledOut(policy, p);
                if (reason != null) {
                    throw AccessRefusedException.forbidden(
                            "provider_not_allowed", "Provider '" + name + "' is refused: " + describe(policy, reason));
                }
            });
        }
        if (model == null || model.isBlank()) {
            return;
        }
        List<String> refusals = new ArrayList<>();
        for (String name : listed) {
            Optional<Provider> p = providers.get(name);
            if (p.isEmpty() || !p.get().models().serves(name, model)) {
                continue;
            }
            String reason = providerRuledOut(policy, p.get());
            if (reason == null && !modelAllowed(policy, p.get(), bare(name, model))) {
                reason = policy.listsModels() ? MODEL_NOT_ALLOWED : "not a configured model";
            }
            if (reason == null) {
                return; // a provider this key may use serves it
            }
            refusals.add(name + ": " + reason);
        }
        if (!refusals.isEmpty()) {
            throw AccessRefusedException.forbidden(
                    "model_not_allowed", "Model '" + model + "' is refused (" + String.join("; ", refusals) + ").");
        }
        if (policy.listsModels() && !policy.allowsModel("", model)) {
            // no provider serves it by that name, and this key may not fall back to whatever the defaults are
            throw AccessRefusedException.forbidden(
                    "model_not_allowed",
                    "Model '" + model + "' is refused: key '" + policy.keyName() + "' may use only " + policy.models()
                            + ".");
        }
    }

    /** Why this key's requests may not go to {@code p} with {@code model}, or null when they may. */
    String ruledOut(AccessPolicy policy, Provider p, String model) {
        String reason = providerRuledOut(policy, p);
        if (reason != null || !policy.listsModels()) {
            return reason;
        }
        String used = p.models().serves(p.name(), model) ? bare(p.name(), model) : null;
        if (used == null) {
            used = p.models().select(null); // the provider's default answers a model it does not serve
        }
        return policy.allowsModel(p.name(), used) ? null : MODEL_NOT_ALLOWED;
    }

    private static String providerRuledOut(AccessPolicy policy, Provider p) {
        if (!policy.allowsProvider(p.name())) {
            return NOT_ALLOWED;
        }
        if (policy.localOnly() && !p.settings().local()) {
            return policy.budgetSpent() ? BUDGET_SPENT : LOCAL_ONLY;
        }
        return null;
    }

    private static boolean modelAllowed(AccessPolicy policy, Provider p, String model) {
        return policy.listsModels()
                ? policy.allowsModel(p.name(), model)
                : p.models().lists(model);
    }

    /** {@code groq/llama-3.1-8b-instant} → {@code llama-3.1-8b-instant} for the provider it names. */
    private static String bare(String provider, String model) {
        String prefix = provider + "/";
        return model.startsWith(prefix) ? model.substring(prefix.length()) : model;
    }

    private static String describe(AccessPolicy policy, String reason) {
        return switch (reason) {
            case LOCAL_ONLY -> "key '" + policy.keyName() + "' is local only, and this provider is not local.";
            case BUDGET_SPENT -> "key '" + policy.keyName()
                    + "' has spent its budget, and this provider is not free (local models are).";
            default -> "key '" + policy.keyName() + "' may use only " + policy.providers() + ".";
        };
    }
}
