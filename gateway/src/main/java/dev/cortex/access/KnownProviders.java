package dev.cortex.access;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The provider names Cortex's settings define ({@code provider.<name>.kind}), found where Cortex itself finds its
 * settings: {@code application.properties} in the working directory, else the copy packaged in the jar. The key
 * command checks a new key's providers against them, because Cortex refuses a key file that names a provider it does
 * not have: a typo would otherwise be ignored live and stop the next start.
 */
final class KnownProviders {

    private static final String SETTINGS = "application.properties";

    private KnownProviders() {}

    /** The providers defined there, sorted; empty when no settings are found (nothing to check against). */
    static Optional<Set<String>> find(Path workingDirectory) throws IOException {
        Path file = workingDirectory.resolve(SETTINGS);
        Properties settings = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                settings.load(in);
            }
        } else {
            try (InputStream in = KnownProviders.class.getClassLoader().getResourceAsStream(SETTINGS)) {
                if (in == null) {
                    return Optional.empty();
                }
                settings.load(in);
            }
        }
        Set<String> names = new TreeSet<>();
        for (String key : settings.stringPropertyNames()) {
            if (key.startsWith("provider.") && key.endsWith(".kind")) {
                String name = key.substring("provider.".length(), key.length() - ".kind".length());
                if (!name.isEmpty() && !name.contains(".")) {
                    names.add(name);
                }
            }
        }
        return names.isEmpty() ? Optional.empty() : Optional.of(names);
    }
}
