package dev.cortex.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.chain.ChainPlanner;
import dev.cortex.chain.RoutePlan;
import dev.cortex.chat.Json;
import dev.cortex.chat.RoutePreference;

/**
 * {@code GET /api/route?strategy=..&providers=..}: the order a request would try the providers in, and why each is
 * where it is or will be skipped, without calling any provider.
 */
public final class RouteExplainer implements Processor {

    private final ChainPlanner chain;

    public RouteExplainer(ChainPlanner chain) {
        this.chain = chain;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        RoutePreference preference = RoutePreferences.fromQuery(
                in.getHeader("strategy", String.class),
                in.getHeader("provider", String.class),
                in.getHeader("providers", String.class));
        RoutePlan plan = chain.explain(preference, in.getHeader("model", String.class));
        ObjectNode body = Json.object();
        body.put("strategy", plan.strategy());
        body.put("model", in.getHeader("model", String.class));
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
