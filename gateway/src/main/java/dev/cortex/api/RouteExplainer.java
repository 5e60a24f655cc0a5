package dev.cortex.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.access.GatewayKey;
import dev.cortex.access.KeyRing;
import dev.cortex.chain.ChainPlanner;
import dev.cortex.chain.EmbeddingFamilies;
import dev.cortex.chain.RoutePlan;
import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.Json;
import dev.cortex.chat.Needs;
import dev.cortex.chat.RoutePreference;
import dev.cortex.failure.BadRequestException;
import dev.cortex.provider.ModelDemand;

/**
 * {@code GET /api/route?strategy=..&providers=..&model=..&key=..&needs=..&tokens=..}: the order a request would try the
 * providers in, and why each is where it is or will be skipped, without calling any provider. {@code key} names a
 * gateway key: the plan is then that key's (its providers, models, local only). {@code needs} lists what the request
 * would need ({@code tools, json_schema, vision, embeddings}) and {@code tokens} its prompt and answer: a provider
 * none of whose models can do it shows as skipped, with why ({@code no tools}, {@code context too small}). With
 * {@code embeddings}, {@code model} is the embedding model or family asked for.
 */
public final class RouteExplainer implements Processor {

    private static final List<String> NEEDS = List.of("tools", "json_schema", "vision", "embeddings");

    private final ChainPlanner chain;
    private final KeyRing keys;
    private final EmbeddingFamilies families;

    public RouteExplainer(ChainPlanner chain, KeyRing keys, EmbeddingFamilies families) {
        this.chain = chain;
        this.keys = keys;
        this.families = families;
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
        String model = in.getHeader("model", String.class);
        Needs needs = needs(in.getHeader("needs", String.class), in.getHeader("tokens", String.class));
        Map<String, String> fixed = needs.embeddings() ? families.resolve(model) : Map.of();
        RoutePlan plan = chain.explainFor(preference, new ModelDemand(model, needs, fixed), policy);
        ObjectNode body = Json.object();
        body.put("strategy", plan.strategy());
        body.put("model", model);
        if (!needs.words().isEmpty() || needs.tokens() > 0) {
            ArrayNode asked = body.putArray("needs");
            needs.words().forEach(asked::add);
            body.put("tokens", needs.tokens());
        }
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
        plan.unservable().ifPresent(why -> body.put("unservable", why));
        in.removeHeaders("*");
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(Json.bytes(body));
    }

    /** {@code needs=tools,vision} and {@code tokens=50000} as the request's {@link Needs}; a word unknown is a 400. */
    private static Needs needs(String words, String tokens) {
        List<String> listed = words == null
                ? List.of()
                : Arrays.stream(words.split(","))
                        .map(w -> w.trim().toLowerCase(Locale.ROOT))
                        .filter(w -> !w.isEmpty())
                        .toList();
        for (String w : listed) {
            if (!NEEDS.contains(w)) {
                throw new BadRequestException(
                        "needs", "Unknown need '" + w + "'; use " + String.join(", ", NEEDS) + ".");
            }
        }
        long count = 0;
        if (tokens != null && !tokens.isBlank()) {
            try {
                count = Long.parseLong(tokens.trim());
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 0) {
                throw new BadRequestException("tokens", "'tokens' must be a whole number of tokens.");
            }
        }
        return new Needs(
                listed.contains("tools"),
                listed.contains("json_schema"),
                listed.contains("vision"),
                listed.contains("embeddings"),
                count);
    }
}
