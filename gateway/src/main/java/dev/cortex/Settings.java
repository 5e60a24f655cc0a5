package dev.cortex;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.CamelContext;

/**
 * Typed reads of {@code application.properties} (where every setting has its default, and the environment overrides
 * through {@code {{env:NAME:default}}}). A missing setting is a configuration error that names the key.
 */
final class Settings {

    private final CamelContext context;

    Settings(CamelContext context) {
        this.context = context;
    }

    String string(String key) {
        return context.getPropertiesComponent()
                .resolveProperty(key)
                .map(String::trim)
                .orElseThrow(
                        () -> new IllegalStateException("Missing setting '" + key + "' in application.properties"));
    }

    int integer(String key) {
        try {
            return Integer.parseInt(string(key));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting '" + key + "' must be a whole number, not '" + string(key) + "'");
        }
    }

    float decimal(String key) {
        try {
            return Float.parseFloat(string(key));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting '" + key + "' must be a number, not '" + string(key) + "'");
        }
    }

    Duration millis(String key) {
        return Duration.ofMillis(integer(key));
    }

    Duration seconds(String key) {
        return Duration.ofSeconds(integer(key));
    }

    /** A comma-separated list; empty entries are dropped. */
    List<String> list(String key) {
        return Arrays.stream(string(key).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
