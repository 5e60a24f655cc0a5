package dev.cortex.chain;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.limits.ModelPrice;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.provider.ProviderSettings;

/**
 * The dearest price a request may meet on its way down the chain: before any provider is asked, nobody knows which one
 * will answer, so a budget reserves what the most expensive one the key may reach would charge for the model it would
 * use. Local providers cost nothing; a key that may reach only them reserves nothing.
 */
public final class PriceCeiling {

    private final ProviderRegistry providers;

    public PriceCeiling(ProviderRegistry providers) {
        this.providers = providers;
    }

    /**
     * @param model the model the request names (bare, or {@code provider/model}); null for each provider's default
     */
    public ModelPrice of(AccessPolicy policy, String model) {
        double input = 0;
        double output = 0;
        for (Provider p : providers.all()) {
            ProviderSettings settings = p.settings();
            if (!p.enabled() || settings.local() || !policy.allowsProvider(p.name()) || policy.localOnly()) {
                continue;
            }
            ModelPrice price = settings.price(modelAt(p, model));
            input = Math.max(input, price.inputPerMillion());
            output = Math.max(output, price.outputPerMillion());
        }
        return new ModelPrice(input, output);
    }

    /**
     * Whether a local provider this key may use serves {@code model}: a request for it can be answered for free, so a
     * spent budget need not refuse it.
     */
    public boolean servedFree(AccessPolicy policy, String model) {
        if (model == null || model.isBlank()) {
            return false;
        }
        for (Provider p : providers.all()) {
            if (p.enabled()
                    && p.settings().local()
                    && policy.allowsProvider(p.name())
                    && p.models().serves(p.name(), model)) {
                return true;
            }
        }
        return false;
    }

    /** The model {@code p} would answer with: the one named when it serves it, else its first configured model. */
    private static String modelAt(Provider p, String model) {
        if (model != null && p.models().serves(p.name(), model)) {
            String prefix = p.name() + "/";
            return model.startsWith(prefix) ? model.substring(prefix.length()) : model;
        }
        return p.settings().modelList().isEmpty()
                ? null
                : p.settings().modelList().get(0);
    }
}
