package dev.cortex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.PropertyBindingSupport;

import dev.cortex.provider.ProviderSettings;

/**
 * Finds the providers named in the settings ({@code provider.<name>.kind}) and binds each one's
 * {@code provider.<name>.*} block onto a {@link ProviderSettings}, once, at start-up. Camel's property binding does the
 * mapping ({@code base-url} to {@code setBaseUrl}, {@code timeout.total-ms} to {@code getTimeout().setTotalMs}); a key
 * it cannot place is an error that names it, so a misspelt setting is never silently ignored.
 */
final class ProviderSettingsBinder {

    private static final String PREFIX = "provider.";
    private static final String PRICE_PREFIX = "price.";
    private static final String CAPABILITIES_PREFIX = "capabilities.";
    private static final String CONTEXT_WINDOW_PREFIX = "context-window.";

    private final CamelContext context;

    ProviderSettingsBinder(CamelContext context) {
        this.context = context;
    }

    /** Every provider the settings define, in the order their names sort (the chain's order lives in the YAML). */
    List<ProviderSettings> bindAll() {
        PropertiesComponent properties = context.getPropertiesComponent();
        Properties keys = properties.loadProperties(key -> key.startsWith(PREFIX));
        Map<String, Map<String, Object>> blocks = new LinkedHashMap<>();
        keys.stringPropertyNames().stream().sorted().forEach(key -> {
            String rest = key.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                throw new IllegalStateException(
                        "Setting '" + key + "' names no provider: use provider.<name>.<setting>");
            }
            String value = properties.resolveProperty(key).map(String::trim).orElse("");
            blocks.computeIfAbsent(rest.substring(0, dot), name -> new HashMap<>())
                    .put(rest.substring(dot + 1), value);
        });
        List<ProviderSettings> all = new ArrayList<>();
        blocks.forEach((name, block) -> {
            if (!block.containsKey("kind")) {
                throw new IllegalStateException("Provider '" + name + "' has settings but no 'provider." + name
                        + ".kind' (openai, gemini, cohere or ollama)");
            }
            all.add(bind(name, block));
        });
        return all;
    }

    private ProviderSettings bind(String name, Map<String, Object> block) {
        ProviderSettings settings = new ProviderSettings(name);
        Map<String, Object> left = new HashMap<>(block);
        // the per-model tables: the model's name is the rest of the key, dots and all (gemini-2.0-flash)
        left.keySet().removeIf(key -> {
            String value = block.get(key).toString();
            if (isTableLine(key, PRICE_PREFIX)) {
                settings.addPrice(key.substring(PRICE_PREFIX.length()), value);
            } else if (isTableLine(key, CAPABILITIES_PREFIX)) {
                settings.addCapabilities(key.substring(CAPABILITIES_PREFIX.length()), value);
            } else if (isTableLine(key, CONTEXT_WINDOW_PREFIX)) {
                settings.addContextWindow(key.substring(CONTEXT_WINDOW_PREFIX.length()), value);
            } else {
                return false;
            }
            return true;
        });
        PropertyBindingSupport.build()
                .withCamelContext(context)
                .withTarget(settings)
                .withProperties(left)
                .withRemoveParameters(true)
                .withIgnoreCase(true)
                .withReflection(true)
                .bind();
        if (!left.isEmpty()) {
            throw new IllegalStateException("Unknown setting(s) for provider '" + name + "': "
                    + left.keySet().stream()
                            .sorted()
                            .map(k -> PREFIX + name + "." + k)
                            .toList());
        }
        return settings.validate();
    }

    private static boolean isTableLine(String key, String prefix) {
        return key.startsWith(prefix) && key.length() > prefix.length();
    }
}
