package dev.cortex.provider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every configured provider by name. Their order for a request is the chain's business, not this registry's. */
public final class ProviderRegistry {

    private final Map<String, Provider> byName = new LinkedHashMap<>();

    public ProviderRegistry(List<Provider> providers) {
        providers.forEach(p -> byName.put(p.name(), p));
    }

    public List<Provider> all() {
        return new ArrayList<>(byName.values());
    }

    public Optional<Provider> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}
