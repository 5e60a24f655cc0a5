package dev.cortex;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;

import dev.cortex.api.ChatApi;
import dev.cortex.chain.ChainPlanner;
import dev.cortex.api.ChatReplyWriter;
import dev.cortex.api.ChatRequestReader;
import dev.cortex.api.ErrorReply;
import dev.cortex.api.HealthReport;
import dev.cortex.api.MetricsScrape;
import dev.cortex.api.ModelListing;
import dev.cortex.api.OllamaApi;
import dev.cortex.api.OpenAiApi;
import dev.cortex.api.ProviderRestore;
import dev.cortex.api.ProvidersHealthCheck;
import dev.cortex.api.RouteExplainer;
import dev.cortex.http.StreamingHttpEngine;
import dev.cortex.ollama.OllamaClient;
import dev.cortex.ollama.OllamaModels;
import dev.cortex.provider.Bulkhead;
import dev.cortex.messaging.DeadLetter;
import dev.cortex.messaging.EmbeddedBroker;
import dev.cortex.messaging.KafkaCommit;
import dev.cortex.messaging.MessagingChat;
import dev.cortex.messaging.MessagingErrorReply;
import dev.cortex.messaging.MessagingFailure;
import dev.cortex.messaging.MessagingReply;
import dev.cortex.messaging.MessagingRequest;
import dev.cortex.messaging.ReplySender;
import dev.cortex.messaging.Transport;
import dev.cortex.provider.HealthProbes;
import dev.cortex.provider.ModelCatalog;
import dev.cortex.provider.ModelSource;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderMetrics;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.provider.Timeouts;
import dev.cortex.provider.WholeAnswerBreaker;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.wire.ProviderAdapter;
import dev.cortex.chat.ChatContext;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.wire.CohereAdapter;
import dev.cortex.wire.GeminiAdapter;
import dev.cortex.wire.GroqAdapter;
import dev.cortex.provider.KeyPool;
import dev.cortex.wire.OllamaAdapter;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.chain.Strategy;

/**
 * Wires the beans the YAML routes refer to by name: one {@code Provider} and one circuit breaker per provider
 * ({@code groq}, {@code groqBreaker}, ...), the front doors' processors, and the Vert.x instance that both the HTTP
 * server and the upstream clients run on. Settings come from {@code application.properties}.
 */
public final class CortexConfiguration implements CamelConfiguration {

    /** The providers Cortex knows, with their wire formats; the chain's order lives in routes/chain.camel.yaml. */
    private static final List<String> PROVIDERS = List.of("groq", "gemini", "cohere", "ollama");

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();

        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setWorkerPoolSize(settings.integer("cortex.http.worker-pool-size"))
                // a worker waits for a whole non-streaming answer, which a local model may take minutes to write
                .setMaxWorkerExecuteTime(30).setMaxWorkerExecuteTimeUnit(TimeUnit.MINUTES)
                .setPreferNativeTransport(true));
        context.addService(new VertxCloser(vertx));
        registry.bind("vertx", vertx);
        registry.bind("platform-http-engine", new StreamingHttpEngine());

        // one registry for Cortex's meters and Camel's route metrics (camel-micrometer finds it by this name)
        PrometheusMeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        registry.bind("metricsScrape", new MetricsScrape(meters));

        FailureClassifier classifier = new FailureClassifier(
                settings.seconds("cortex.keys.rate-limit-cooldown-seconds"),
                settings.seconds("cortex.keys.daily-quota-cooldown-seconds"),
                settings.seconds("cortex.keys.longest-cooldown-seconds"),
                settings.seconds("cortex.providers.access-denied-pause-seconds"));
        OllamaModels ollamaModels = new OllamaModels(
                new OllamaClient(settings.string("ollama.base-url"), settings.millis("ollama.load-timeout-ms")),
                settings.list("ollama.models"), settings.integer("ollama.max-memory-mb"),
                Set.copyOf(settings.list("ollama.critical-models")), settings.integer("ollama.critical-max-size-mb"),
                settings.string("ollama.keep-alive"), settings.millis("ollama.load-timeout-ms"));
        context.addService(new Closer(ollamaModels), true, false); // its load threads stop with Camel
        registry.bind("ollamaModels", ollamaModels);
        List<Provider> providers = new ArrayList<>();
        for (String name : PROVIDERS) {
            ModelSource models = name.equals("ollama") ? ollamaModels : new ModelCatalog(name, settings.list(name + ".models"));
            Provider provider = provider(name, models, settings, vertx, classifier, meters);
            provider.watchMetrics();
            registry.bind(name, provider);
            registry.bind(name + "Breaker", provider.breaker());
            providers.add(provider);
        }
        ProviderRegistry all = new ProviderRegistry(providers);
        registry.bind("providers", all);
        Map<String, Double> prices = new HashMap<>();
        PROVIDERS.forEach(name -> prices.put(name, (double) settings.decimal(name + ".price-per-million-tokens")));
        ChainPlanner planner = new ChainPlanner(all, Strategy.parse(settings.string("cortex.strategy")), prices,
                Set.copyOf(settings.list("cortex.local-providers")));
        registry.bind("chainPlanner", planner);
        registry.bind("routeExplainer", new RouteExplainer(planner));

        ChatApi openAi = new OpenAiApi();
        ChatApi ollama = new OllamaApi();
        registry.bind("openAiRequest", new ChatRequestReader(openAi));
        registry.bind("openAiReply", new ChatReplyWriter(openAi));
        registry.bind("openAiModels", new ModelListing(openAi, all));
        registry.bind("ollamaRequest", new ChatRequestReader(ollama));
        registry.bind("ollamaReply", new ChatReplyWriter(ollama));
        registry.bind("ollamaTags", new ModelListing(ollama, all));
        registry.bind("errorReply", new ErrorReply());
        registry.bind("healthReport", new HealthReport(all, ollamaModels));
        registry.bind("healthProbes", new HealthProbes(all, ollamaModels::refresh));
        registry.bind("providersHealthCheck", new ProvidersHealthCheck(all));
        registry.bind("providerRestore", new ProviderRestore(all));

        messaging(context, settings, registry);
    }

    /**
     * The messaging front doors (routes/messaging.camel.yaml): the steps of the JMS and Kafka routes, and the JMS
     * connection factory — to the embedded Artemis broker, started here, unless {@code JMS_URL} names another one.
     */
    private static void messaging(CamelContext context, Settings s, Registry registry) throws Exception {
        Clock clock = Clock.systemUTC();
        ChatApi openAi = new OpenAiApi();
        Map<String, Duration> providerWorstCase = new HashMap<>();
        PROVIDERS.forEach(name -> providerWorstCase.put(name, s.millis(name + ".timeout.total-ms")));
        Duration maxWait = s.seconds("cortex.messaging.max-cooldown-wait-seconds");
        Duration lastResortWait = s.millis("cortex.bulkhead.last-resort-wait-ms");
        registry.bind("jmsChat", new MessagingChat(context,
                new MessagingChat.Budget(maxWait, null, providerWorstCase, lastResortWait), clock));
        // a Kafka consumer that keeps one request past its poll interval is dropped from the group
        Duration kafkaConsumerLimit = s.millis("cortex.kafka.max-poll-interval-ms")
                .minus(s.millis("cortex.kafka.poll-interval-margin-ms"));
        registry.bind("kafkaChat", new MessagingChat(context,
                new MessagingChat.Budget(maxWait, kafkaConsumerLimit, providerWorstCase, lastResortWait), clock));
        registry.bind("messagingFailure", new MessagingFailure(clock));
        int replyAttempts = s.integer("cortex.messaging.reply-attempts");
        Duration replyAttemptInterval = s.millis("cortex.messaging.reply-attempt-interval-ms");
        for (Transport transport : Transport.values()) {
            String prefix = transport == Transport.JMS ? "jms" : "kafka";
            registry.bind(prefix + "Request", new MessagingRequest(transport, openAi, clock));
            registry.bind(prefix + "Reply", new MessagingReply(transport, openAi));
            registry.bind(prefix + "ErrorReply", new MessagingErrorReply(transport));
            registry.bind(prefix + "DeadLetter", new DeadLetter(transport, clock));
            // the endpoint's own destination is never used: each reply names its JMSReplyTo / CortexReplyTo
            String replyEndpoint = transport == Transport.JMS ? "jms:queue:cortex-reply" : "kafka:cortex-reply";
            registry.bind(prefix + "ReplySender",
                    new ReplySender(context, transport, replyEndpoint, replyAttempts, replyAttemptInterval));
        }
        registry.bind("kafkaCommit", new KafkaCommit());

        String url = s.string("cortex.jms.url");
        ActiveMQConnectionFactory connections;
        if (url.isEmpty()) {
            EmbeddedBroker broker = new EmbeddedBroker(new EmbeddedBroker.Settings(s.string("cortex.jms.broker.host"),
                    s.integer("cortex.jms.broker.port"), Boolean.parseBoolean(s.string("cortex.jms.broker.persistent")),
                    Path.of(s.string("cortex.jms.broker.data-dir")), s.string("cortex.jms.request-queue"),
                    s.string("cortex.jms.dead-letter-queue"), s.integer("cortex.jms.broker.max-delivery-attempts")));
            if (Boolean.parseBoolean(s.string("cortex.jms.enabled"))) {
                // started now, so it is up before the JMS route's consumers; stopped with the context, after them
                broker.start();
                context.addService(broker, true, false);
                registry.bind("jmsBroker", broker);
            }
            connections = new ActiveMQConnectionFactory(broker.inVmUrl());
        } else {
            String user = s.string("cortex.jms.user");
            connections = user.isEmpty() ? new ActiveMQConnectionFactory(url)
                    : new ActiveMQConnectionFactory(url, user, s.string("cortex.jms.password"));
        }
        // 0: a consumer takes a request only when it is free to serve it, so busy instances leave requests to idle ones
        connections.setConsumerWindowSize(s.integer("cortex.jms.consumer-window-size"));
        // a request is JSON text: no Java object is ever deserialized from a message, whoever asks for one
        connections.setDeserializationDenyList("*");
        registry.bind("jmsConnectionFactory", connections);
        context.addService(new Closer(connections), true, false); // closed before the broker stops
    }

    private static Provider provider(String name, ModelSource models, Settings s, Vertx vertx,
                                     FailureClassifier classifier, MeterRegistry meters) {
        boolean keyless = name.equals("ollama");
        KeyPool keys = keyless ? KeyPool.keyless(name) : new KeyPool(name, s.list(name + ".api-key"), Clock.systemUTC());
        Timeouts timeouts = new Timeouts(s.millis(name + ".timeout.connect-ms"), s.millis(name + ".timeout.first-token-ms"),
                s.millis(name + ".timeout.idle-ms"), s.millis(name + ".timeout.total-ms"));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout((int) timeouts.connect().toMillis())
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setTryUseCompression(false) // tokens must pass as they come, not wait for a deflate block
                        .setIdleTimeout(60),
                new PoolOptions().setHttp1MaxSize(s.integer("cortex.upstream.max-connections")));
        return new Provider(name, s.string(name + ".base-url"), adapter(name, s), keys, !keyless,
                models, timeouts, s.millis("cortex.http.client-write-timeout-ms"), breaker(name, timeouts, s),
                classifier, vertx, client,
                new Bulkhead(s.integer(name + ".max-concurrent"), s.millis("cortex.bulkhead.last-resort-wait-ms")),
                new ProviderMetrics(meters, name));
    }

    private static ProviderAdapter adapter(String name, Settings s) {
        return switch (name) {
            case "groq" -> new GroqAdapter();
            case "gemini" -> new GeminiAdapter();
            case "cohere" -> new CohereAdapter();
            case "ollama" -> new OllamaAdapter(s.string("ollama.keep-alive"));
            default -> throw new IllegalArgumentException("No adapter for provider " + name);
        };
    }

    /**
     * The provider's breaker, owned here rather than by the route so that its state survives a route reload. Only
     * failures that say the provider is unwell count; a skipped provider, a cooled key, a refused request or a caller
     * who left do not. A streamed answer is judged once, when it ends ({@link WholeAnswerBreaker}).
     */
    private static WholeAnswerBreaker breaker(String name, Timeouts timeouts, Settings s) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(s.decimal("cortex.breaker.failure-rate-threshold"))
                .slidingWindowSize(s.integer("cortex.breaker.sliding-window-size"))
                .minimumNumberOfCalls(s.integer("cortex.breaker.minimum-number-of-calls"))
                .waitDurationInOpenState(s.seconds("cortex.breaker.wait-in-open-seconds"))
                .permittedNumberOfCallsInHalfOpenState(s.integer("cortex.breaker.permitted-calls-in-half-open"))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // an answer's length is the model's business; slowness is what the provider's timeouts judge
                .slowCallDurationThreshold(timeouts.total().plusSeconds(1))
                .ignoreException(t -> t instanceof ProviderFailure failure && !failure.countsAgainstBreaker()
                        || t instanceof ClientGoneException)
                .build();
        // the EIP returns a streamed answer at its first token: its verdict comes when the stream ends
        return new WholeAnswerBreaker(CircuitBreaker.of(name, config),
                result -> result instanceof Exchange e && e.getMessage().getBody() instanceof ChatContext chat
                        && chat.streaming(),
                Clock.systemUTC());
    }

    /** Closes a resource when Camel stops. */
    private static final class Closer extends ServiceSupport {
        private final AutoCloseable resource;

        Closer(AutoCloseable resource) {
            this.resource = resource;
        }

        @Override
        protected void doStop() throws Exception {
            resource.close();
        }
    }

    /** Closes the shared Vert.x instance when Camel stops. */
    private static final class VertxCloser extends ServiceSupport {
        private final Vertx vertx;

        VertxCloser(Vertx vertx) {
            this.vertx = vertx;
        }

        @Override
        protected void doStop() {
            vertx.close();
        }
    }
}
