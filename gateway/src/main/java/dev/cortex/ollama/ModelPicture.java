package dev.cortex.ollama;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What the local Ollama has, by canonical model name: its installed models and the ones loaded in memory. Immutable:
 * a change makes a new picture, swapped in whole, so a reader never sees one half-updated (an empty installed list
 * while a refresh re-reads it would make a selection fall back to the wrong default). A model being loaded is not in
 * it until its warm-up answered. A change to one list keeps the other list's very map, so whether the loaded models
 * changed since an earlier picture is an identity check.
 */
record ModelPicture(Map<String, OllamaClient.Installed> installed, Map<String, OllamaClient.Loaded> loaded) {

    static final ModelPicture EMPTY = new ModelPicture(Map.of(), Map.of());

    ModelPicture withInstalled(Collection<OllamaClient.Installed> models) {
        return new ModelPicture(byName(models, OllamaClient.Installed::name), loaded);
    }

    ModelPicture withLoaded(Collection<OllamaClient.Loaded> models) {
        return new ModelPicture(installed, byName(models, OllamaClient.Loaded::name));
    }

    ModelPicture plusLoaded(OllamaClient.Loaded model) {
        Map<String, OllamaClient.Loaded> next = new LinkedHashMap<>(loaded);
        next.put(OllamaModels.canonical(model.name()), model);
        return new ModelPicture(installed, Collections.unmodifiableMap(next));
    }

    ModelPicture minusLoaded(String model) {
        Map<String, OllamaClient.Loaded> next = new LinkedHashMap<>(loaded);
        next.remove(model);
        return new ModelPicture(installed, Collections.unmodifiableMap(next));
    }

    /** Keyed by canonical name, in Ollama's order, and unmodifiable. */
    private static <T> Map<String, T> byName(Collection<T> models, Function<T, String> name) {
        Map<String, T> out = new LinkedHashMap<>();
        models.forEach(m -> out.put(OllamaModels.canonical(name.apply(m)), m));
        return Collections.unmodifiableMap(out);
    }
}
