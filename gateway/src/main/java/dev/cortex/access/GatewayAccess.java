package dev.cortex.access;

import java.util.Locale;
import java.util.Optional;

import dev.cortex.failure.AccessRefusedException;

/**
 * Tells who is calling from the key a request carries, the way the clients' SDKs send one: {@code Authorization:
 * Bearer <key>} (the OpenAI SDKs' {@code api_key}, and what Ollama clients set as a header) or {@code x-api-key}.
 *
 * <p>Keys are required once any exists, and always when Cortex listens beyond loopback without the operator's
 * explicit consent to run open: removing every key from such a gateway locks it rather than opening it.
 */
public final class GatewayAccess {

    private final KeyRing keys;
    private final boolean openWithoutKeys;

    /**
     * @param openWithoutKeys whether a gateway with no keys serves everyone (it listens on loopback only, or the
     *                        operator said so)
     */
    public GatewayAccess(KeyRing keys, boolean openWithoutKeys) {
        this.keys = keys;
        this.openWithoutKeys = openWithoutKeys;
    }

    /** Whether requests need a key now (re-read per request: a key file edited live changes the answer). */
    public boolean keysRequired() {
        return !openWithoutKeys || !keys.isEmpty();
    }

    /**
     * The caller behind these header values: {@link Caller#OPEN} when no key is required, {@link Caller#ANONYMOUS}
     * when none was sent, else the key's owner.
     *
     * @throws AccessRefusedException (401) for a key that is not one Cortex issued, or one revoked
     */
    public Caller identify(String authorization, String apiKeyHeader) {
        if (!keysRequired()) {
            return Caller.OPEN; // SDKs insist on sending some key; with none configured, whatever they send is moot
        }
        Optional<String> presented = presented(authorization, apiKeyHeader);
        if (presented.isEmpty()) {
            return Caller.ANONYMOUS;
        }
        return keys.authenticate(presented.get())
                .map(Caller::of)
                .orElseThrow(() -> AccessRefusedException.unauthenticated(
                        "Invalid API key: it is not a Cortex gateway key, or it was revoked."));
    }

    /**
     * The owner of a key presented on its own (a message property): always checked against the keys, even when the
     * HTTP doors need none, since whoever sent it meant its limits and policy to apply.
     *
     * @throws AccessRefusedException (401) for a key that is not one Cortex issued, or one revoked
     */
    public Caller identifyKey(String key) {
        return keys.authenticate(key.trim())
                .map(Caller::of)
                .orElseThrow(() -> AccessRefusedException.unauthenticated(
                        "Invalid API key: it is not a Cortex gateway key, or it was revoked."));
    }

    public KeyRing keys() {
        return keys;
    }

    private static Optional<String> presented(String authorization, String apiKeyHeader) {
        if (authorization != null) {
            String value = authorization.trim();
            if (value.length() > 7
                    && value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                String key = value.substring(7).trim();
                if (!key.isEmpty()) {
                    return Optional.of(key);
                }
            }
        }
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
            return Optional.of(apiKeyHeader.trim());
        }
        return Optional.empty();
    }
}
