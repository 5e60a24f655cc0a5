package dev.cortex.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.access.GatewayKey;
import dev.cortex.access.KeyRing;
import dev.cortex.chain.ChainPlanner;
import dev.cortex.chain.RoutePlan;
import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.Json;
import dev.cortex.chat.RoutePreference;
import dev.cortex.failure.BadRequestException;

/**
 * {@code GET /api/route?strategy=..&providers=..&model=..&key=..}: the order a request would try the providers in, and
 * why each is where it is or will be skipped, without calling any provider. {@code key} names a gateway key: the plan
 * is then that key's (its providers, models, local only).
 */
public final class RouteExplainer implements Processor {

    private final ChainPlanner chain;
    private final KeyRing keys;

    public RouteExplainer(ChainPlanner chain, KeyRing keys) {
        this.chain = chain;
        this.keys = keys;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        RoutePreference preference = RoutePreferences.fromQuery(
                in.getHeader("strategy", String.class),
                in.getHeader("provider", String.class),
                in.getHeader("providers", String.class));
        String keyName = in.getHeader("key", String.class);
        AccessPolicy policy = AccessCheck.caller(exchange).policy();
        if (keyName != null && !keyName.isBlank()) {
            policy = keys.byName(keyName)
                    .map(GatewayKey::policy)
                    .orElseThrow(() -> new BadRequestException(404, "key", "No gateway key named '" + keyName + "'."));
        }
        RoutePlan plan = chain.explain(preference, in.getHeader("model", String.class), policy);
        ObjectNode body = Json.object();
        body.put("strategy", plan.strategy());
        body.put("model", in.getHeader("model", String.class));
        if (policy != AccessPolicy.UNRESTRICTED) {
            body.put("key", policy.keyName());
        }
        ArrayNode order = body.putArray("order");
        for (RoutePlan.Step step : plan.steps()) {
            ObjectNode s = order.addObject();
            s.put("provider", step.provider());
            s.put("action", step.skip() == null ? "try" : "skip");
            if (step.skip() != null) {
                s.put("reason", step.skip());
            }
            if (step.note() != null) {
                s.put("note", step.note());
            }
        }
        in.removeHeaders("*");
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(Json.bytes(body));
    }
}
