package dev.cortex.provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Keeps API keys out of everything a person or a client can read. */
public final class ApiKeys {

    // Groq gsk_, OpenAI sk-, Google AIza, Cortex's own gateway keys ck_ (at a word start: "stack_trace" is no key),
    // and long opaque tokens as Cohere issues them
    private static final Pattern KEY_LIKE =
            Pattern.compile("(gsk_|sk-|AIza|\\bck_)[A-Za-z0-9_\\-]{8,}|\\b[A-Za-z0-9]{32,}\\b");

    private ApiKeys() {}

    /** {@code gsk_…9f2c}: enough to tell keys apart in a log, never enough to use one. */
    public static String mask(String key) {
        if (key == null || key.isEmpty()) {
            return "(none)";
        }
        if (key.length() <= 8) {
            return "…" + key.substring(key.length() - Math.min(2, key.length()));
        }
        int prefix = key.startsWith("gsk_")
                ? 4
                : key.startsWith("sk-") ? 3 : key.startsWith("AIza") ? 4 : key.startsWith("ck_") ? 3 : 0;
        return key.substring(0, prefix) + "…" + key.substring(key.length() - 4);
    }

    /**
     * A name for a key that other replicas can match against their own keys, and that tells nothing about the key: the
     * first 16 hex digits of its SHA-256.
     */
    public static String fingerprint(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Masks every key-like token in a provider's free text before it is logged or shown. */
    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = KEY_LIKE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(mask(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }
}
