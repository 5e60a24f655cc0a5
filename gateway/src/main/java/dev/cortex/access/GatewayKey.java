package dev.cortex.access;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import dev.cortex.chat.AccessPolicy;

/**
 * One key clients send to Cortex, as the key file describes it: its name (what logs, metrics and refusals show), the
 * hash it is recognised by, whether it carries the operator scope, whether it has been revoked, and the policy its
 * requests run under.
 *
 * @param name    unique, {@link #NAME_PATTERN}; never the key
 * @param sha256  the hash of the key; the key itself is kept nowhere
 * @param created when it was made (informational); null when the file does not say
 * @param admin   operator scope as well: restore, detailed health, {@code /api/route}, {@code /metrics}
 * @param revoked a revoked key authenticates nothing; its entry stays so the name stays taken
 * @param policy  what its requests may reach; {@code policy.keyName()} is {@code name}
 */
public record GatewayKey(
        String name, KeyHash sha256, Instant created, boolean admin, boolean revoked, AccessPolicy policy) {

    /** Letters, digits, dot, underscore and dash, 1 to 64: safe in a log line, a metric tag and a YAML plain scalar. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** The name of the key that {@code CORTEX_MASTER_KEY} makes; no file entry may take it. */
    public static final String MASTER_NAME = "master";

    public GatewayKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(policy, "policy");
        if (!policy.keyName().equals(name)) {
            throw new IllegalArgumentException(
                    "Key '" + name + "' carries the policy of key '" + policy.keyName() + "'");
        }
    }

    /** The in-memory operator key made from {@code CORTEX_MASTER_KEY}: admin, every provider, every model. */
    public static GatewayKey master(String key) {
        AccessPolicy everything = new AccessPolicy(MASTER_NAME, Set.of(), List.of(), null, null, false);
        return new GatewayKey(MASTER_NAME, KeyHash.of(key), null, true, false, everything);
    }

    public static boolean isValidName(String name) {
        return name != null && NAME_PATTERN.matcher(name).matches();
    }

    /** The same key, revoked. */
    public GatewayKey revoke() {
        return new GatewayKey(name, sha256, created, admin, true, policy);
    }
}
