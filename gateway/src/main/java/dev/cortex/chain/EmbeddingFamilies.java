package dev.cortex.chain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.cortex.failure.BadRequestException;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;

/**
 * Which provider may answer an embedding request, and with which model. Vectors from two models are not comparable,
 * so an embedding request never falls over to another model: it names one model ({@code nomic-embed-text}: every
 * provider that serves it; {@code ollama/nomic-embed-text}: that provider only), or a family of models known to give
 * the same vectors ({@code cortex.embeddings.family.<alias> = provider/model, provider/model}: one open model served by
 * two hosts), or nothing ({@code cortex.embeddings.default-family}). The chain then tries only those providers, each
 * with exactly its member model; the others are passed over as serving {@code other embedding model}.
 */
public final class EmbeddingFamilies {

    private final ProviderRegistry providers;
    private final Map<String, Map<String, String>> families;
    private final String defaultFamily;

    /**
     * @param families      by alias, the members as {@code provider/model}
     * @param defaultFamily the alias (or model) a request without a model gets; empty for none
     */
    public EmbeddingFamilies(ProviderRegistry providers, Map<String, List<String>> families, String defaultFamily) {
        this.providers = providers;
        this.defaultFamily = defaultFamily == null ? "" : defaultFamily.trim();
        Map<String, Map<String, String>> parsed = new LinkedHashMap<>();
        families.forEach((alias, members) -> parsed.put(alias, members(alias, members)));
        this.families = Map.copyOf(parsed);
    }

    private Map<String, String> members(String alias, List<String> members) {
        Map<String, String> byProvider = new LinkedHashMap<>();
        for (String member : members) {
            int slash = member.indexOf('/');
            String provider = slash > 0 ? member.substring(0, slash) : "";
            if (slash <= 0
                    || slash == member.length() - 1
                    || providers.get(provider).isEmpty()) {
                throw new IllegalStateException("Setting 'cortex.embeddings.family." + alias + "': '" + member
                        + "' must be <provider>/<model>, with a configured provider");
            }
            if (byProvider.putIfAbsent(provider, member.substring(slash + 1)) != null) {
                throw new IllegalStateException("Setting 'cortex.embeddings.family." + alias + "' names provider '"
                        + provider + "' twice: one provider serves one model of a family");
            }
        }
        if (byProvider.isEmpty()) {
            throw new IllegalStateException("Setting 'cortex.embeddings.family." + alias + "' lists no model");
        }
        return Map.copyOf(byProvider);
    }

    /**
     * The model each provider may answer {@code requested} with, by provider name; throws 400 when no model is named
     * and no default family is configured, 404 when the name is neither a family nor a model a provider serves.
     */
    public Map<String, String> resolve(String requested) {
        String name = requested == null || requested.isBlank() ? defaultFamily : requested.trim();
        if (name.isEmpty()) {
            throw new BadRequestException(
                    "model",
                    "Name an embedding model: this gateway has no default embedding family"
                            + " (cortex.embeddings.default-family).");
        }
        Map<String, String> family = families.get(name);
        if (family != null) {
            return family;
        }
        int slash = name.indexOf('/');
        if (slash > 0) {
            Optional<Provider> named = providers.get(name.substring(0, slash));
            if (named.isPresent()) {
                return Map.of(named.get().name(), name.substring(slash + 1));
            }
        }
        Map<String, String> serving = new LinkedHashMap<>();
        for (Provider p : providers.all()) {
            if (!p.enabled()) {
                continue;
            }
            p.models().look();
            if (p.models().lists(name)) {
                serving.put(p.name(), name);
            }
        }
        if (serving.isEmpty()) {
            throw new BadRequestException(
                    404,
                    "model",
                    "model_not_found",
                    "The embedding model '" + name + "' is neither a configured embedding family (" + aliases()
                            + ") nor a model an enabled provider serves.");
        }
        return serving;
    }

    private String aliases() {
        return families.isEmpty()
                ? "none is configured"
                : String.join(", ", families.keySet().stream().sorted().toList());
    }
}
