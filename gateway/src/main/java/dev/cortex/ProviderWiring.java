package dev.cortex;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.failure.HedgeLostException;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.failure.ReplyFailedException;
import dev.cortex.ollama.OllamaClient;
import dev.cortex.ollama.OllamaHosts;
import dev.cortex.ollama.OllamaModels;
import dev.cortex.provider.Bulkhead;
import dev.cortex.provider.FirstTokenTimeout;
import dev.cortex.provider.KeyPool;
import dev.cortex.provider.ModelCatalog;
import dev.cortex.provider.ModelSource;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderMetrics;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.provider.ProviderSettings;
import dev.cortex.provider.Upstream;
import dev.cortex.provider.UpstreamHttp;
import dev.cortex.provider.WholeAnswerBreaker;
import dev.cortex.wire.CohereAdapter;
import dev.cortex.wire.GeminiAdapter;
import dev.cortex.wire.OllamaAdapter;
import dev.cortex.wire.OpenAiCompatibleAdapter;
import dev.cortex.wire.ProviderAdapter;

/**
 * Builds one {@link Provider} per {@code provider.<name>.*} block of the settings and binds it, with its breaker,
 * under the names the provider route template refers to ({@code <name>}, {@code <name>Breaker}). Whatever a provider
 * needs comes from its own typed {@link ProviderSettings}; what all share (failure rules, breaker thresholds, the
 * Vert.x instance, the meter registry) is passed in once.
 */
final class ProviderWiring {

    private final CamelContext context;
    private final Settings settings;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final FailureClassifier classifier;
    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    private final FirstTokenTimeout.Settings adaptiveFirstToken;

    ProviderWiring(CamelContext context, Settings settings, Vertx vertx, MeterRegistry meters) {
        this.context = context;
        this.settings = settings;
        this.vertx = vertx;
        this.meters = meters;
        this.classifier = new FailureClassifier(
                settings.seconds("cortex.keys.rate-limit-cooldown-seconds"),
                settings.seconds("cortex.keys.daily-quota-cooldown-seconds"),
                settings.seconds("cortex.keys.longest-cooldown-seconds"),
                settings.seconds("cortex.providers.access-denied-pause-seconds"));
        this.adaptiveFirstToken = adaptiveFirstToken(settings);
        // resilience4j_circuitbreaker_state, _calls, _failure_rate ... tagged name=<provider>, for every breaker
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
    }

    /** Every configured provider, bound in the registry; the Ollama servers among them as {@code ollamaHosts}. */
    ProviderRegistry wireAll() throws Exception {
        Registry registry = context.getRegistry();
        List<Provider> providers = new ArrayList<>();
        List<OllamaModels> ollamaHosts = new ArrayList<>();
        for (ProviderSettings s : new ProviderSettingsBinder(context).bindAll()) {
            ModelSource models;
            if (s.kind() == ProviderSettings.Kind.OLLAMA) {
                OllamaModels local = ollamaModels(s);
                ollamaHosts.add(local);
                models = local;
            } else {
                models = new ModelCatalog(s.name(), s.modelList(), s.embeddingModelList(), s::capabilities);
            }
            Provider provider = provider(s, models);
            registry.bind(s.name(), provider);
            registry.bind(s.name() + "Breaker", provider.breaker());
            providers.add(provider);
        }
        OllamaHosts hosts = new OllamaHosts(ollamaHosts);
        context.addService(new Closer(hosts), true, false); // their load threads stop with Camel
        registry.bind("ollamaHosts", hosts);
        return new ProviderRegistry(providers);
    }

    private Provider provider(ProviderSettings s, ModelSource models) {
        KeyPool keys = s.needsKey() ? new KeyPool(s.name(), s.keys(), Clock.systemUTC()) : KeyPool.keyless(s.name());
        Upstream upstream = new Upstream(
                s.baseUrl(),
                adapter(s),
                s.timeouts(),
                settings.millis("cortex.http.client-write-timeout-ms"),
                vertx,
                UpstreamHttp.client(vertx, s, settings.integer("cortex.upstream.max-connections")));
        Bulkhead bulkhead = new Bulkhead(s.maxConcurrent(), settings.millis("cortex.bulkhead.last-resort-wait-ms"));
        return new Provider(
                s,
                upstream,
                keys,
                models,
                breaker(s),
                classifier,
                bulkhead,
                new ProviderMetrics(meters, s.name()),
                adaptiveFirstToken);
    }

    /** {@code cortex.timeouts.adaptive.*}: how first-token clocks follow measured times (each provider may opt out). */
    private static FirstTokenTimeout.Settings adaptiveFirstToken(Settings settings) {
        String prefix = "cortex.timeouts.adaptive.";
        return new FirstTokenTimeout.Settings(
                Boolean.parseBoolean(settings.string(prefix + "enabled")),
                settings.decimal(prefix + "percentile"),
                settings.decimal(prefix + "factor"),
                settings.millis(prefix + "floor-ms"),
                settings.integer(prefix + "min-samples"),
                settings.integer(prefix + "window"));
    }

    private static ProviderAdapter adapter(ProviderSettings s) {
        return switch (s.kind()) {
            case OPENAI -> new OpenAiCompatibleAdapter(s.maxTokensField(), s.streamUsage());
            case GEMINI -> new GeminiAdapter();
            case COHERE -> new CohereAdapter();
            case OLLAMA -> new OllamaAdapter(s.localModels().keepAlive());
        };
    }

    private OllamaModels ollamaModels(ProviderSettings s) {
        ProviderSettings.LocalModels local = s.localModels();
        return new OllamaModels(
                s.name(),
                new OllamaClient(s.baseUrl(), local.loadTimeout()),
                s.modelList(),
                local.maxMemoryMb(),
                Set.copyOf(local.criticalModels()),
                local.criticalMaxSizeMb(),
                local.keepAlive(),
                local.loadTimeout(),
                s);
    }

    /**
     * The provider's breaker, owned here rather than by the route so that its state survives a route reload. Only
     * failures that say the provider is unwell count; a skipped provider, a cooled key, a refused request, a caller
     * who left or a reply Cortex could not start do not. A streamed answer is judged once, when it ends ({@link WholeAnswerBreaker}).
     */
    private WholeAnswerBreaker breaker(ProviderSettings s) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.decimal("cortex.breaker.failure-rate-threshold"))
                .slidingWindowSize(settings.integer("cortex.breaker.sliding-window-size"))
                .minimumNumberOfCalls(settings.integer("cortex.breaker.minimum-number-of-calls"))
                .waitDurationInOpenState(settings.seconds("cortex.breaker.wait-in-open-seconds"))
                .permittedNumberOfCallsInHalfOpenState(settings.integer("cortex.breaker.permitted-calls-in-half-open"))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // an answer's length is the model's business; slowness is what the provider's timeouts judge
                .slowCallDurationThreshold(s.timeouts().total().plusSeconds(1))
                .ignoreException(t -> t instanceof ProviderFailure failure && !failure.countsAgainstBreaker()
                        || t instanceof ClientGoneException
                        || t instanceof ReplyFailedException
                        || t instanceof HedgeLostException)
                .build();
        // the EIP returns as soon as a call is under way: its verdict comes when the call fails or the answer ends
        return new WholeAnswerBreaker(
                breakers.circuitBreaker(s.name(), config),
                result -> result instanceof Exchange e
                        && e.getMessage().getBody() instanceof ChatContext chat
                        && chat.hasCallUnderWay(),
                Clock.systemUTC());
    }
}
