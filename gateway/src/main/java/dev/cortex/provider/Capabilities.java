package dev.cortex.provider;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.cortex.chat.Needs;

/**
 * What one model can do, as the chain's routing needs to know it before calling: chat at all, call tools, follow a
 * JSON Schema, read images, give vectors, and how many tokens its context window holds. Configured per provider and
 * model ({@code provider.<name>.capabilities[.<model>]}, {@code context-window[.<model>]}, {@code embedding-models}),
 * or for an Ollama server read from {@code /api/show}.
 *
 * @param contextWindow tokens the model's context holds; 0 when unknown (then no request is too long for it)
 */
public record Capabilities(
        boolean chat, boolean tools, boolean jsonSchema, boolean vision, boolean embeddings, long contextWindow) {

    /** The words the trail, the route plan and the capability error use for a model that cannot serve a request. */
    public static final String NO_TOOLS = "no tools";

    public static final String NO_JSON_SCHEMA = "no json_schema";
    public static final String NO_VISION = "no vision";
    public static final String NO_EMBEDDINGS = "no embeddings";
    /** An embedding model asked for a chat. */
    public static final String NO_CHAT = "no chat";

    public static final String CONTEXT_TOO_SMALL = "context too small";
    /** A provider that serves none of the models of the embedding family asked for: its vectors would not match. */
    public static final String OTHER_EMBEDDING_MODEL = "other embedding model";

    private static final Set<String> REASONS = Set.of(
            NO_TOOLS, NO_JSON_SCHEMA, NO_VISION, NO_EMBEDDINGS, NO_CHAT, CONTEXT_TOO_SMALL, OTHER_EMBEDDING_MODEL);

    /** The capability words a setting may list. */
    private static final List<String> WORDS = List.of("tools", "json_schema", "vision", "embeddings");

    /**
     * A chat model nothing is known about: it is tried with whatever the request needs, and says no itself (a 400
     * that goes back to the caller) when it cannot.
     */
    public static final Capabilities UNKNOWN = new Capabilities(true, true, true, true, false, 0);

    /**
     * A model of a server that can be asked anything but did not say what it can do (an Ollama too old to list
     * capabilities): every request is tried, and the server says no itself.
     */
    public static final Capabilities ANY = new Capabilities(true, true, true, true, true, 0);

    /** A model that serves vectors only. */
    public static Capabilities embedding(long contextWindow) {
        return new Capabilities(false, false, false, false, true, contextWindow);
    }

    /** A chat model with the capabilities a setting lists ({@code tools, json_schema, vision}; empty: plain text). */
    public static Capabilities parse(String setting, String words, long contextWindow) {
        Set<String> listed = Arrays.stream(words.split(","))
                .map(w -> w.trim().toLowerCase(Locale.ROOT))
                .filter(w -> !w.isEmpty())
                .collect(Collectors.toSet());
        for (String w : listed) {
            if (!WORDS.contains(w)) {
                throw new IllegalStateException(
                        "Setting '" + setting + "': unknown capability '" + w + "'; use " + String.join(", ", WORDS));
            }
        }
        boolean embeddings = listed.contains("embeddings");
        return new Capabilities(
                !embeddings || listed.size() > 1,
                listed.contains("tools"),
                listed.contains("json_schema"),
                listed.contains("vision"),
                embeddings,
                contextWindow);
    }

    /** The same capabilities with a context window of {@code tokens} (0: unknown). */
    public Capabilities withContextWindow(long tokens) {
        return new Capabilities(chat, tools, jsonSchema, vision, embeddings, tokens);
    }

    /**
     * Why this model cannot serve a request with these needs (one of the reason words), or empty when it can. A
     * missing capability is named before a window too small, so the reason says what no size would fix.
     */
    public Optional<String> lacks(Needs needs) {
        if (needs.embeddings()) {
            if (!embeddings) {
                return Optional.of(NO_EMBEDDINGS);
            }
        } else if (!chat) {
            return Optional.of(NO_CHAT);
        } else if (needs.tools() && !tools) {
            return Optional.of(NO_TOOLS);
        } else if (needs.jsonSchema() && !jsonSchema) {
            return Optional.of(NO_JSON_SCHEMA);
        } else if (needs.vision() && !vision) {
            return Optional.of(NO_VISION);
        }
        if (contextWindow > 0 && needs.tokens() > contextWindow) {
            return Optional.of(CONTEXT_TOO_SMALL);
        }
        return Optional.empty();
    }

    /** Whether a trail outcome is a capability skip: the request, not the provider, decided it. */
    public static boolean isReason(String outcome) {
        return outcome != null && REASONS.contains(outcome);
    }

    /** The capabilities in the words of the settings, for the health report. */
    public List<String> words() {
        return WORDS.stream()
                .filter(w -> switch (w) {
                    case "tools" -> tools;
                    case "json_schema" -> jsonSchema;
                    case "vision" -> vision;
                    default -> embeddings;
                })
                .toList();
    }
}
