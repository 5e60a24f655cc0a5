package dev.cortex.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.chat.Json;
import dev.cortex.limits.LimitStore;
import dev.cortex.ollama.OllamaClient;
import dev.cortex.ollama.OllamaModels;
import dev.cortex.provider.Capabilities;
import dev.cortex.provider.FirstTokenTimeout;
import dev.cortex.provider.HealthState;
import dev.cortex.provider.KeyPool;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderHealth;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.provider.RecentFailures;

/**
 * {@code GET /api/health}: per provider its health ({@code available}, {@code degraded}, {@code unavailable},
 * {@code disabled}), breaker, key counts (never keys) and when the next cooling key is back, latencies with the last
 * few times to first token, failures by class over the last minutes and the last failure; for an Ollama server its
 * installed, loaded and loading models; and where the keys' limits are kept ({@code embedded}, {@code redis}, or
 * the fallback deciding while Redis is unreachable). 200 when at least one provider can serve, 503 when none can. The status is
 * public (load balancers ask it without a key); the detail is shown to a key with the admin scope only.
 */
public final class HealthReport implements Processor {

    private final ProviderRegistry providers;
    private final LimitStore limits;

    public HealthReport(ProviderRegistry providers, LimitStore limits) {
        this.providers = providers;
        this.limits = limits;
    }

    @Override
    public void process(Exchange exchange) {
        ObjectNode body = Json.object();
        ObjectNode list = Json.object();
        boolean anyServing = false;
        for (Provider p : providers.all()) {
            HealthState health = p.status().healthState();
            anyServing |= health == HealthState.AVAILABLE || health == HealthState.DEGRADED;
            list.set(p.name(), describe(p, health));
        }
        body.put("status", anyServing ? "ok" : "unavailable");
        if (AccessCheck.caller(exchange).admin()) {
            body.set("providers", list); // key counts and model inventory are the operator's business
            // where the keys' limits live, and whether a shared store is reachable or a fallback decides
            body.putObject("limits").put("store", limits.mode()).put("healthy", limits.healthy());
        }
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, anyServing ? 200 : 503);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(Json.bytes(body));
    }

    private ObjectNode describe(Provider p, HealthState health) {
        ObjectNode node = Json.object();
        node.put("enabled", p.enabled());
        node.put("health", health.word());
        p.status().unavailable().ifPresent(a -> node.put("reason", a.reason().word()));
        node.put("breaker", p.breaker().getState().name().toLowerCase());
        KeyPool.Counts keys = p.keys().counts();
        ObjectNode keyNode = node.putObject("keys")
                .put("usable", keys.usable())
                .put("cooling", keys.cooling())
                .put("dead", keys.dead());
        p.keys()
                .earliestRecovery()
                .ifPresent(at -> keyNode.put(
                        "next_back_in_seconds",
                        Math.max(0, Duration.between(Instant.now(), at).toSeconds() + 1)));
        node.putObject("in_flight")
                .put("current", p.bulkhead().inUse())
                .put("limit", p.bulkhead().limit());
        ProviderHealth probe = p.health();
        ObjectNode latency = node.putObject("latency_ms");
        double ttft = p.firstTokenLatency().averageMillis();
        if (!Double.isNaN(ttft)) {
            latency.put("first_token_avg", Math.round(ttft));
            latency.put("first_token_last", p.firstTokenLatency().lastMillis());
        }
        ArrayNode recent = latency.putArray("first_token_recent"); // oldest first, for a sparkline
        for (long millis : p.firstTokenLatency().recentMillis()) {
            recent.add(millis);
        }
        if (probe.probeMillis() >= 0) {
            latency.put("probe_last", probe.probeMillis());
        }
        latency.set("first_token_timeout", firstTokenTimeout(p.firstTokenTimeout()));
        if (probe.probed()) {
            node.put("last_probe", probe.probedAt().toString());
            node.put("probe_ok", !probe.probeSaysDown());
            if (probe.probeSaysDown()) {
                node.put("probe_failure", probe.lastProbeFailure());
            }
        }
        ObjectNode failures =
                node.putObject("failures_recent").put("window_minutes", RecentFailures.WINDOW.toMinutes());
        ObjectNode byClass = failures.putObject("by_class");
        p.recentFailures().counts().forEach((c, n) -> byClass.put(c.name().toLowerCase(Locale.ROOT), n));
        if (probe.lastCallFailure() != null) {
            node.put("last_failure", probe.lastCallFailure());
        }
        if (p.models() instanceof OllamaModels ollama) {
            node.set("models", ollamaModels(ollama));
        }
        node.set("capabilities", capabilities(p));
        return node;
    }

    /**
     * What each model can do as routing sees it ({@code tools}, {@code vision}, ...; {@code chat: false} for a model
     * that only embeds) and its context window (0: unknown), so an operator can tell why a request skipped a provider.
     */
    private static ObjectNode capabilities(Provider p) {
        ObjectNode out = Json.object();
        for (String model : p.models().models()) {
            Capabilities c = p.models().capabilities(model);
            ObjectNode m = out.putObject(model);
            m.put("chat", c.chat());
            c.words().forEach(m.putArray("can")::add);
            m.put("context_window", c.contextWindow());
        }
        return out;
    }

    /**
     * The first-token clock in force: the configured one, whether it adapts, and per model that has first tokens its
     * clock now and how many samples set it (below min-samples, the configured clock still holds).
     */
    private static ObjectNode firstTokenTimeout(FirstTokenTimeout clock) {
        ObjectNode node =
                Json.object().put("configured", clock.configured().toMillis()).put("adaptive", clock.adaptive());
        ObjectNode models = node.putObject("models");
        clock.snapshot().forEach((model, view) -> models.putObject(model)
                .put("effective", view.effectiveMillis())
                .put("samples", view.samples()));
        return node;
    }

    private static ObjectNode ollamaModels(OllamaModels ollama) {
        ObjectNode models = Json.object();
        ArrayNode installed = models.putArray("installed");
        for (OllamaClient.Installed m : ollama.installed()) {
            installed
                    .addObject()
                    .put("name", m.name())
                    .put("size_mb", m.sizeBytes() / (1024 * 1024))
                    .put("family", m.family())
                    .put("critical", ollama.critical(m.name()));
        }
        ArrayNode loaded = models.putArray("loaded");
        for (OllamaClient.Loaded m : ollama.loaded()) {
            loaded.addObject()
                    .put("name", m.name())
                    .put("memory_mb", m.sizeBytes() / (1024 * 1024))
                    .put("on_gpu", m.vramBytes() > 0)
                    .put("vram_mb", m.vramBytes() / (1024 * 1024));
        }
        ArrayNode loading = models.putArray("loading");
        ollama.loadingNow().stream().sorted().forEach(loading::add);
        ObjectNode budget = models.putObject("memory");
        ollama.budget().forEach((k, v) -> budget.put(k, ((Number) v).longValue()));
        return models;
    }
}
