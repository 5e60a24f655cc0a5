package dev.cortex.api;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.cortex.access.Caller;
import dev.cortex.failure.AccessRefusedException;

/**
 * A front-door route's first step, naming who may use it: {@code keyRequired} (any gateway key) or
 * {@code adminRequired} (a key with the admin scope). The guard in front of every route has already told who is
 * calling; a route without this step is public.
 */
public final class AccessCheck implements Processor {

    /** The {@code WWW-Authenticate} challenge sent with a 401. */
    public static final String CHALLENGE = "Bearer realm=\"cortex\"";

    private final boolean admin;

    private AccessCheck(boolean admin) {
        this.admin = admin;
    }

    public static AccessCheck keyRequired() {
        return new AccessCheck(false);
    }

    public static AccessCheck adminRequired() {
        return new AccessCheck(true);
    }

    /** The caller the guard established for this request; nobody when it did not run. */
    public static Caller caller(Exchange exchange) {
        Caller caller = exchange.getProperty(Caller.PROPERTY, Caller.class);
        return caller != null ? caller : Caller.ANONYMOUS;
    }

    @Override
    public void process(Exchange exchange) {
        Caller caller = caller(exchange);
        if (!caller.authenticated()) {
            throw AccessRefusedException.unauthenticated(
                    "This endpoint needs a Cortex gateway key: send it as 'Authorization: Bearer <key>' or"
                            + " 'x-api-key: <key>'.");
        }
        if (admin && !caller.admin()) {
            throw AccessRefusedException.forbidden(
                    "admin_scope_required",
                    "Key '" + caller.name() + "' may not use this endpoint: it needs a key with the admin scope.");
        }
    }
}
