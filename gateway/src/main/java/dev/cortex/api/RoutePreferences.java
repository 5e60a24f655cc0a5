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
 * Every value is held to {@link RequestHeaders#checked} (short, no control characters), and an error names the field,
 * header or query parameter it came from. Whether the named providers exist is the chain's to say.
 */
public final class RoutePreferences {

    public static final String STRATEGY_HEADER = "X-Cortex-Strategy";
    public static final String PROVIDER_HEADER = "X-Cortex-Provider";
    public static final String PROVIDERS_HEADER = "X-Cortex-Providers";

    /** What the three values are called where they came from. */
    private record Names(String strategy, String provider, String providers) {}

    /** The body's fields, and the query parameters of {@code GET /api/route}, which share their names. */
    private static final Names FIELDS = new Names("strategy", "provider", "providers");

    private static final Names HEADERS = new Names(STRATEGY_HEADER, PROVIDER_HEADER, PROVIDERS_HEADER);

    private RoutePreferences() {}

    public static RoutePreference from(
            JsonNode body, String strategyHeader, String providerHeader, String providersHeader) {
        RequestFields f = new RequestFields(body, "");
        String strategy = f.string("strategy");
        String provider = f.string("provider");
        List<String> providers = f.has("providers") ? f.strings("providers") : null;
        if (strategy == null && provider == null && providers == null) {
            return fromText(HEADERS, strategyHeader, providerHeader, providersHeader);
        }
        List<String> named = providers == null ? List.of() : providers;
        named.forEach(name -> RequestHeaders.checked(FIELDS.providers(), name));
        return build(
                FIELDS,
                RequestHeaders.checked(FIELDS.strategy(), strategy),
                RequestHeaders.checked(FIELDS.provider(), provider),
                named);
    }

    /** From the query of {@code GET /api/route}. */
    public static RoutePreference fromQuery(String strategy, String provider, String providers) {
        return fromText(FIELDS, strategy, provider, providers);
    }

    /** From text values: {@code providers} is a comma-separated list. */
    private static RoutePreference fromText(Names names, String strategy, String provider, String providers) {
        RequestHeaders.checked(names.providers(), providers);
        List<String> list = providers == null || providers.isBlank()
                ? List.of()
                : Arrays.stream(providers.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        return build(
                names,
                RequestHeaders.checked(names.strategy(), strategy),
                RequestHeaders.checked(names.provider(), provider),
                list);
    }

    private static RoutePreference build(Names names, String strategy, String provider, List<String> providers) {
        Strategy parsed = null;
        if (strategy != null && !strategy.isBlank()) {
            try {
                parsed = Strategy.parse(strategy);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(names.strategy(), e.getMessage());
            }
        }
        if (provider != null && !provider.isBlank()) {
            if (!providers.isEmpty()) {
                throw new BadRequestException(
                        names.provider(),
                        "Name either '" + names.provider() + "' or '" + names.providers() + "', not both.");
            }
            providers = List.of(provider.trim());
        }
        return new RoutePreference(parsed, providers);
    }
}
