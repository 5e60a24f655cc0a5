package dev.cortex;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;

import dev.cortex.access.GatewayAccess;
import dev.cortex.access.KeyRing;
import dev.cortex.api.AccessCheck;
import dev.cortex.api.BoundedJsonReader;
import dev.cortex.api.ChatApi;
import dev.cortex.api.ChatReplyWriter;
import dev.cortex.api.ChatRequestReader;
import dev.cortex.api.EmbeddingReplyWriter;
import dev.cortex.api.EmbeddingRequestReader;
import dev.cortex.api.ErrorReply;
import dev.cortex.api.HealthReport;
import dev.cortex.api.ImageInputs;
import dev.cortex.api.JsonLimits;
import dev.cortex.api.MetricsScrape;
import dev.cortex.api.ModelListing;
import dev.cortex.api.OllamaApi;
import dev.cortex.api.OllamaEmbeddings;
import dev.cortex.api.OpenAiApi;
import dev.cortex.api.OpenAiEmbeddings;
import dev.cortex.api.ProviderRestore;
import dev.cortex.api.ProvidersHealthCheck;
import dev.cortex.api.RouteExplainer;
import dev.cortex.api.StatusEvents;
import dev.cortex.api.StatusPage;
import dev.cortex.chain.ChainPlanner;
import dev.cortex.chain.EmbeddingFamilies;
import dev.cortex.chain.Hedging;
import dev.cortex.chat.Strategy;
import dev.cortex.http.FrontDoorSettings;
import dev.cortex.http.StreamingHttpEngine;
import dev.cortex.limits.LimitStore;
import dev.cortex.ollama.OllamaHosts;
import dev.cortex.provider.HealthProbes;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.status.RequestFeed;

/**
 * Wires the beans the YAML routes refer to by name: the providers and their breakers ({@link ProviderWiring}), the
 * chain's planner, the front doors' processors, the messaging front doors ({@link MessagingWiring}), and the Vert.x
 * instance that both the HTTP server and the upstream clients run on. Settings come from
 * {@code application.properties}.
 */
public final class CortexConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();

        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setWorkerPoolSize(settings.integer("cortex.http.worker-pool-size"))
                // no worker waits for a provider's answer, but one may wait for a local model to load: minutes
                .setMaxWorkerExecuteTime(30)
                .setMaxWorkerExecuteTimeUnit(TimeUnit.MINUTES)
                .setPreferNativeTransport(true));
        context.addService(new Closer(vertx::close));
        registry.bind("vertx", vertx);

        // one registry for Cortex's meters and Camel's route metrics (camel-micrometer finds it by this name)
        PrometheusMeterRegistry meters =
                registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        registry.bind("metricsScrape", new MetricsScrape(meters));

        ProviderRegistry all = new ProviderWiring(context, settings, vertx, meters).wireAll();
        KeyRing keys = new KeyRing(
                Path.of(settings.string("cortex.keys.file")),
                settings.string("cortex.keys.master-api-key"),
                key -> key.policy().providers().forEach(name -> {
                    if (all.get(name).isEmpty()) {
                        throw new IllegalArgumentException(
                                "key '" + key.name() + "' names provider '" + name + "', which is not configured");
                    }
                }));
        GatewayAccess access = new GatewayAccess(keys, FrontDoorBinding.settle(context, settings, keys));
        registry.bind("platform-http-engine", new StreamingHttpEngine(vertx, access, frontDoor(settings), meters));
        registry.bind("keyRequired", AccessCheck.keyRequired());
        registry.bind("adminRequired", AccessCheck.adminRequired());
        registry.bind("providers", all);
        ChainPlanner planner = new ChainPlanner(all, Strategy.parse(settings.string("cortex.strategy")));
        registry.bind("chainPlanner", planner);
        // the chain asks the next provider here when one failed on an event loop (asking may block: a model loading)
        Executor chainWorkers = task -> vertx.executeBlocking(
                () -> {
                    task.run();
                    return null;
                },
                false);
        registry.bind("chainWorkers", chainWorkers);
        registry.bind("hedging", new Hedging(hedgingSettings(settings), all, vertx, meters));
        EmbeddingFamilies families = new EmbeddingFamilies(
                all, embeddingFamilies(context), settings.string("cortex.embeddings.default-family"));
        registry.bind("routeExplainer", new RouteExplainer(planner, keys, families));

        ImageInputs images = new ImageInputs(
                Boolean.parseBoolean(settings.string("cortex.images.fetch-urls")),
                settings.integer("cortex.images.max-bytes"),
                settings.millis("cortex.images.fetch-timeout-ms"));
        ChatApi openAi = new OpenAiApi(images);
        ChatApi ollama = new OllamaApi(images);
        // every door, HTTP or messaging, reads request bodies within the same structure limits
        BoundedJsonReader json = new BoundedJsonReader(new JsonLimits(
                settings.integer("cortex.http.max-messages"),
                settings.integer("cortex.http.max-content-parts"),
                settings.integer("cortex.http.max-json-depth"),
                settings.integer("cortex.http.max-json-nodes")));
        RequestFeed feed = new RequestFeed(
                settings.integer("cortex.status.recent-requests"), settings.integer("cortex.status.max-watchers"));
        registry.bind("requestFeed", feed);
        registry.bind("statusPage", new StatusPage());
        registry.bind(
                "statusEvents",
                new StatusEvents(
                        feed,
                        vertx,
                        settings.seconds("cortex.status.heartbeat-seconds").toMillis()));
        registry.bind("openAiRequest", new ChatRequestReader(openAi, json, feed));
        registry.bind("openAiReply", new ChatReplyWriter(openAi));
        registry.bind("openAiModels", new ModelListing(openAi, all));
        registry.bind("ollamaRequest", new ChatRequestReader(ollama, json, feed));
        registry.bind("ollamaReply", new ChatReplyWriter(ollama));
        registry.bind("ollamaTags", new ModelListing(ollama, all));
        registry.bind(
                "openAiEmbeddingRequest", new EmbeddingRequestReader(new OpenAiEmbeddings(), json, families, feed));
        registry.bind("openAiEmbeddingReply", new EmbeddingReplyWriter(new OpenAiEmbeddings()));
        registry.bind(
                "ollamaEmbeddingRequest", new EmbeddingRequestReader(new OllamaEmbeddings(), json, families, feed));
        registry.bind("ollamaEmbeddingReply", new EmbeddingReplyWriter(new OllamaEmbeddings()));
        registry.bind("errorReply", new ErrorReply());
        LimitStore limits = LimitsWiring.wire(context, settings, all, keys, vertx, meters);
        registry.bind("healthReport", new HealthReport(all, limits));
        OllamaHosts ollamaHosts = registry.lookupByNameAndType("ollamaHosts", OllamaHosts.class);
        registry.bind("healthProbes", new HealthProbes(all, ollamaHosts::refresh));
        registry.bind("providersHealthCheck", new ProvidersHealthCheck(all));
        registry.bind("providerRestore", new ProviderRestore(all));

        MessagingWiring.wire(context, settings, all, json, access, openAi);
    }

    /** {@code cortex.embeddings.family.<alias> = provider/model, ...}: models known to give the same vectors. */
    private static Map<String, List<String>> embeddingFamilies(CamelContext context) {
        String prefix = "cortex.embeddings.family.";
        Properties lines = context.getPropertiesComponent().loadProperties(key -> key.startsWith(prefix));
        Map<String, List<String>> families = new TreeMap<>();
        for (String key : lines.stringPropertyNames()) {
            String members =
                    context.getPropertiesComponent().resolveProperty(key).orElse("");
            families.put(
                    key.substring(prefix.length()),
                    Arrays.stream(members.split(","))
                            .map(String::trim)
                            .filter(m -> !m.isEmpty())
                            .toList());
        }
        return families;
    }

    private static FrontDoorSettings frontDoor(Settings settings) {
        return new FrontDoorSettings(
                Set.copyOf(settings.list("cortex.http.allowed-origins")),
                settings.seconds("cortex.http.idle-timeout-seconds"),
                settings.integer("cortex.http.worker-pool-size"),
                settings.integer("cortex.http.max-queued-requests"),
                settings.integer("cortex.http.operator-worker-pool-size"),
                Long.parseLong(settings.string("camel.server.max-body-size")));
    }

    /** {@code cortex.hedging.*}: the strategies are checked by name, so a misspelt one fails at start. */
    private static Hedging.Settings hedgingSettings(Settings settings) {
        Set<String> strategies = new TreeSet<>();
        settings.list("cortex.hedging.strategies")
                .forEach(name -> strategies.add(Strategy.parse(name).wireName()));
        return new Hedging.Settings(
                strategies,
                settings.decimal("cortex.hedging.percentile"),
                settings.integer("cortex.hedging.min-samples"),
                settings.millis("cortex.hedging.min-delay-ms"));
    }
}
