package dev.cortex.api;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.provider.ProviderSettings;

/**
 * {@code GET /v1/models} and {@code GET /api/tags}: the union of the models the enabled providers serve, as far as the
 * caller's key may use them.
 */
public final class ModelListing implements Processor {

    private final ChatApi api;
    private final ProviderRegistry providers;

    public ModelListing(ChatApi api, ProviderRegistry providers) {
        this.api = api;
        this.providers = providers;
    }

    @Override
    public void process(Exchange exchange) {
        AccessPolicy policy = AccessCheck.caller(exchange).policy();
        List<ChatApi.ModelEntry> models = new ArrayList<>();
        for (Provider p : providers.all()) {
            if (p.enabled() && policy.allowsProvider(p.name()) && (p.settings().local() || !policy.localOnly())) {
                p.models().models().stream()
                        .filter(m -> !policy.listsModels() || policy.allowsModel(p.name(), m))
                        .forEach(m -> models.add(new ChatApi.ModelEntry(
                                p.name(),
                                m,
                                p.models().sizeBytes(m),
                                p.settings().kind() == ProviderSettings.Kind.OLLAMA)));
            }
        }
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(api.renderModels(models));
    }
}
