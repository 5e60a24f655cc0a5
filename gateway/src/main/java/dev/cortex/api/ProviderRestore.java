package dev.cortex.api;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.failure.BadRequestException;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;

/**
 * {@code POST /api/providers/{name}/restore}: an operator fixed an account or an outage is over — close the
 * provider's breaker, put every key back in rotation and forget the last probe, without a restart.
 */
public final class ProviderRestore implements Processor {

    private final ProviderRegistry providers;

    public ProviderRestore(ProviderRegistry providers) {
        this.providers = providers;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        String name = in.getHeader("name", String.class);
        Provider provider = providers
                .get(name)
                .orElseThrow(() -> new BadRequestException(404, "name", "No provider named '" + name + "'."));
        provider.restore();
        in.removeHeaders("*");
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody("{\"provider\":\"" + provider.name() + "\",\"health\":\""
                + provider.status().healthState().word() + "\"}");
    }
}
