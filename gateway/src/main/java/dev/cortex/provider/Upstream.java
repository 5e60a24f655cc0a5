package dev.cortex.provider;

import java.time.Duration;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

import dev.cortex.wire.ProviderAdapter;

/**
 * How to reach one provider: its URL, its wire format, its clocks and the HTTP client its calls share.
 *
 * @param clientWriteTimeout how long a streaming caller may leave relayed tokens untaken before its stream is
 *                           dropped (its fault: the provider's clocks stand still meanwhile)
 * @param resets             the resets its HTTP/2 connections may still send
 */
public record Upstream(
        String baseUrl,
        ProviderAdapter adapter,
        Timeouts timeouts,
        Duration clientWriteTimeout,
        Vertx vertx,
        HttpClient client,
        ResetBudget resets) {

    public Upstream(
            String baseUrl,
            ProviderAdapter adapter,
            Timeouts timeouts,
            Duration clientWriteTimeout,
            Vertx vertx,
            HttpClient client) {
        this(baseUrl, adapter, timeouts, clientWriteTimeout, vertx, client, new ResetBudget());
    }
}
