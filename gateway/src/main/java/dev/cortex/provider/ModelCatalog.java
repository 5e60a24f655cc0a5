package dev.cortex.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The models one provider is configured to serve, the first being its default, and the embedding models it serves
 * vectors with. A request's model is used when the provider serves it (by name, or as {@code provider/model});
 * otherwise the provider answers with its default, since the caller asked the gateway for an answer, not for one
 * provider. What each model can do comes from the provider's settings ({@link ProviderSettings#capabilities}).
 */
public final class ModelCatalog implements ModelSource {

    private final String provider;
    private final List<String> chatModels;
    private final List<String> all;
    private final Function<String, Capabilities> capabilities;

    /** A provider whose models' capabilities are not known: each is tried with whatever a request needs. */
    public ModelCatalog(String provider, List<String> models) {
        this(provider, models, List.of(), model -> Capabilities.UNKNOWN);
    }

    /**
     * @param chatModels      the chat models, the default first
     * @param embeddingModels the models that serve vectors (and no chat)
     * @param capabilities    what each model can do
     */
    public ModelCatalog(
            String provider,
            List<String> chatModels,
            List<String> embeddingModels,
            Function<String, Capabilities> capabilities) {
        if (chatModels.isEmpty()) {
            throw new IllegalArgumentException(provider + ": at least one model must be configured");
        }
        this.provider = provider;
        this.chatModels = List.copyOf(chatModels);
        List<String> both = new ArrayList<>(chatModels);
        embeddingModels.stream().filter(m -> !both.contains(m)).forEach(both::add);
        this.all = List.copyOf(both);
        this.capabilities = capabilities;
    }

    public String defaultModel() {
        return chatModels.get(0);
    }

    /** The chat models, then the embedding models. */
    @Override
    public List<String> models() {
        return all;
    }

    @Override
    public List<String> candidates() {
        return chatModels;
    }

    @Override
    public Capabilities capabilities(String model) {
        return capabilities.apply(model);
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
        return all.contains(requested) ? requested : defaultModel();
    }
}
