package dev.cortex.chat;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a request's providers are ordered; the chain's YAML order is the default ({@link #HYBRID}). */
public enum Strategy {
    /** The chain's YAML order (the seed's priorities: Groq 10, Gemini 20, Cohere 30, Ollama 40). */
    HYBRID,
    /** Cloud providers in YAML order, local ones last. */
    CLOUD_FIRST,
    /** Local providers first when they are healthy, then the cloud. */
    LOCAL_FIRST,
    /** By measured time to first token; providers not measured yet follow in YAML order. */
    SPEED_FIRST,
    /** By price per token from the price table; local costs nothing. */
    COST_FIRST;

    public static Strategy parse(String name) {
        String key = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Strategy s : values()) {
            if (s.name().equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown strategy '" + name + "'; use one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(Strategy::wireName).collect(Collectors.joining(", "));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
