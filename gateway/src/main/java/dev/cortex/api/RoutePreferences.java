package dev.cortex.api;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cortex.chat.RoutePreference;
import dev.cortex.chat.Strategy;
import dev.cortex.failure.BadRequestException;

/**
 * Reads what a caller asked about routing, from the body ({@code strategy}, {@code provider}, {@code providers})
 * or the {@code X-Cortex-Strategy} / {@code X-Cortex-Provider} / {@code X-Cortex-Providers} headers; the body wins.
 * Whether the named providers exist is the chain's to say.
 */
public final class RoutePreferences {

    public static final String STRATEGY_HEADER = "X-Cortex-Strategy";
    public static final String PROVIDER_HEADER = "X-Cortex-Provider";
    public static final String PROVIDERS_HEADER = "X-Cortex-Providers";

    private RoutePreferences() {}

    public static RoutePreference from(
            JsonNode body, String strategyHeader, String providerHeader, String providersHeader) {
        RequestFields f = new RequestFields(body, "");
        String strategy = f.string("strategy");
        String provider = f.string("provider");
        List<String> providers = f.has("providers") ? f.strings("providers") : null;
        if (strategy == null && provider == null && providers == null) {
            return fromQuery(strategyHeader, providerHeader, providersHeader);
        }
        return build(strategy, provider, providers == null ? List.of() : providers);
    }

    /** From text values (headers, or the query of {@code GET /api/route}). */
    public static RoutePreference fromQuery(String strategy, String provider, String providers) {
        List<String> list = providers == null || providers.isBlank()
                ? List.of()
                : Arrays.stream(providers.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        return build(strategy, provider, list);
    }

    private static RoutePreference build(String strategy, String provider, List<String> providers) {
        Strategy parsed = null;
        if (strategy != null && !strategy.isBlank()) {
            try {
                parsed = Strategy.parse(strategy);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("strategy", e.getMessage());
            }
        }
        if (provider != null && !provider.isBlank()) {
            if (!providers.isEmpty()) {
                throw new BadRequestException("provider", "Name either 'provider' or 'providers', not both.");
            }
            providers = List.of(provider.trim());
        }
        return new RoutePreference(parsed, providers);
    }
}
