package dev.cortex.access;

import dev.cortex.chat.AccessPolicy;

/**
 * Who sent one HTTP request, as the front door's guard established it: a gateway key's name, scope and policy, or
 * nobody. Carried with the request so that routes can require a key ({@code keyRequired}) or the admin scope
 * ({@code adminRequired}) and the chain can apply the key's policy.
 *
 * @param name          the key's name (for logs and metrics; never the key)
 * @param authenticated whether the request may use what needs a key
 * @param admin         whether it may use the operator's endpoints
 */
public record Caller(String name, boolean authenticated, boolean admin, AccessPolicy policy) {

    /** Where a request's caller travels with it (an exchange property). */
    public static final String PROPERTY = "CortexCaller";

    /** Cortex runs without gateway keys (on loopback, or explicitly allowed): every caller may do everything. */
    public static final Caller OPEN = new Caller("(open)", true, true, AccessPolicy.UNRESTRICTED);

    /** A request without a key while keys are required: it may use only what is public. */
    public static final Caller ANONYMOUS = new Caller("(anonymous)", false, false, AccessPolicy.UNRESTRICTED);

    static Caller of(GatewayKey key) {
        return new Caller(key.name(), true, key.admin(), key.policy());
    }
}
