package dev.cortex.chat;

import java.util.List;

/**
 * What a caller asked about routing: a strategy, and optionally the providers to use (in that order). One named
 * provider is a pin: it answers or the request fails with its error, no fall-over.
 *
 * @param strategy  null for the configured default
 * @param providers empty for every provider of the chain
 */
public record RoutePreference(Strategy strategy, List<String> providers) {

    public static final RoutePreference DEFAULT = new RoutePreference(null, List.of());

    public RoutePreference {
        providers = List.copyOf(providers);
    }

    public boolean pinned() {
        return providers.size() == 1;
    }
}
