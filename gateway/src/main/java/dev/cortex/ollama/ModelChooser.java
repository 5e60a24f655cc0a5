package dev.cortex.ollama;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the model that serves a request from one picture of what Ollama has: the model asked for when installed,
 * else one of its family (loaded first, then configured, then the smallest), else the default (the first configured
 * model installed). Choosing never loads anything; {@link ModelLoader} does that.
 */
final class ModelChooser {

    private static final Pattern FAMILY = Pattern.compile("^([a-zA-Z]+)");

    private final String prefix;
    private final List<String> configured;

    /**
     * @param provider   the provider's name: a request may name a model as {@code <provider>/<model>}
     * @param configured canonical names of the configured models, the default first
     */
    ModelChooser(String provider, List<String> configured) {
        this.prefix = provider + "/";
        this.configured = configured;
    }

    String choose(ModelPicture now, String requested) {
        if (requested != null && !requested.isBlank()) {
            String name = OllamaModels.canonical(
                    requested.startsWith(prefix) ? requested.substring(prefix.length()) : requested);
            if (now.installed().containsKey(name)) {
                return name;
            }
            Optional<String> sameFamily = sameFamily(now, name);
            if (sameFamily.isPresent()) {
                return sameFamily.get();
            }
        }
        return defaultModel(now);
    }

    private Optional<String> sameFamily(ModelPicture now, String name) {
        String family = family(name);
        if (family == null) {
            return Optional.empty();
        }
        return now.installed().values().stream()
                .filter(m -> family.equalsIgnoreCase(m.family()) || family.equals(family(m.name())))
                .map(m -> OllamaModels.canonical(m.name()))
                .min(Comparator.comparing((String n) -> !now.loaded().containsKey(n))
                        .thenComparing(n -> !configured.contains(n))
                        .thenComparingLong(n -> now.installed().get(n).sizeBytes()));
    }

    static String family(String name) {
        Matcher m = FAMILY.matcher(name);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    private String defaultModel(ModelPicture now) {
        for (String name : configured) {
            if (now.installed().containsKey(name)) {
                return name;
            }
        }
        if (!now.installed().isEmpty()) {
            return now.installed().keySet().stream().sorted().findFirst().orElseThrow();
        }
        return configured.isEmpty() ? "llama3.2:latest" : configured.get(0); // Ollama will say if it is missing
    }
}
