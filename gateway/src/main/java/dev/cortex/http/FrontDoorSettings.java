package dev.cortex.http;

import java.time.Duration;
import java.util.Set;

/**
 * How the HTTP front door defends itself (application.properties, {@code cortex.http.*}).
 *
 * @param allowedOrigins     web origins whose pages may call Cortex (CORS); empty refuses every {@code Origin}
 * @param idleTimeout        how long a client connection may sit unused between requests
 * @param chatWorkers        the worker pool's size: requests served at once
 * @param maxQueuedRequests  requests that may wait for a worker beyond those; more get a fast 503
 * @param operatorWorkers    workers of the operator routes' own (health, metrics, route, restore)
 * @param maxBodyBytes       the body size limit, for the 413's message
 */
public record FrontDoorSettings(
        Set<String> allowedOrigins,
        Duration idleTimeout,
        int chatWorkers,
        int maxQueuedRequests,
        int operatorWorkers,
        long maxBodyBytes) {

    public FrontDoorSettings {
        allowedOrigins = Set.copyOf(allowedOrigins);
    }
}
