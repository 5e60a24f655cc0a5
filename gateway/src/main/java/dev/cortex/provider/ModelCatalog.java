package dev.cortex.provider;

import java.util.List;

/**
 * The models one provider is configured to serve, the first being its default. A request's model is used when the
 * provider serves it (by name, or as {@code provider/model}); otherwise the provider answers with its default, since
 * the caller asked the gateway for an answer, not for one provider.
 */
public final class ModelCatalog implements ModelSource {

    private final String provider;
    private final List<String> models;

    public ModelCatalog(String provider, List<String> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException(provider + ": at least one model must be configured");
        }
        this.provider = provider;
        this.models = List.copyOf(models);
    }

    public String defaultModel() {
        return models.get(0);
    }

    @Override
    public List<String> models() {
        return models;
    }

    @Override
    public String select(String requested) {
        if (requested == null || requested.isBlank()) {
            return defaultModel();
        }
        String prefix = provider + "/";
        if (requested.startsWith(prefix)) {
            return requested.substring(prefix.length());
        }
        return models.contains(requested) ? requested : defaultModel();
    }
}
