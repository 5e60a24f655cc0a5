package dev.cortex.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.chat.Json;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.routing.KeyPool;

/**
 * {@code GET /api/health}: each provider's state (enabled, breaker, keys), 200 when at least one provider can serve
 * and 503 when none can.
 */
public final class HealthReport implements Processor {

    private final ProviderRegistry providers;

    public HealthReport(ProviderRegistry providers) {
        this.providers = providers;
    }

    @Override
    public void process(Exchange exchange) {
        ObjectNode body = Json.object();
        ObjectNode list = Json.object();
        boolean anyServing = false;
        for (Provider p : providers.all()) {
            ObjectNode node = list.putObject(p.name());
            node.put("enabled", p.enabled());
            node.put("breaker", p.breaker().getState().name().toLowerCase());
            KeyPool.Counts keys = p.keys().counts();
            String health = p.healthState();
            node.put("health", health);
            node.putObject("keys").put("usable", keys.usable()).put("cooling", keys.cooling()).put("dead", keys.dead());
            anyServing |= health.equals("available") || health.equals("degraded");
        }
        body.put("status", anyServing ? "ok" : "unavailable");
        body.set("providers", list);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, anyServing ? 200 : 503);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(Json.bytes(body));
    }
}
