package dev.cortex.api;

/** The response headers that tell a caller how its answer was produced. */
public final class ReplyHeaders {

    public static final String PROVIDER = "X-Cortex-Provider";
    public static final String MODEL = "X-Cortex-Model";
    public static final String ATTEMPTS = "X-Cortex-Attempts";
    public static final String OVERHEAD_MS = "X-Cortex-Overhead-Ms";
    public static final String ROUTE = "X-Cortex-Route";

    private ReplyHeaders() {}
}
