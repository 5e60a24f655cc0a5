package dev.cortex.chain;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.RoutePreference;
import dev.cortex.chat.Strategy;
import dev.cortex.failure.AccessRefusedException;
import dev.cortex.failure.BadRequestException;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.provider.Bulkhead;
import dev.cortex.provider.FirstTokenTimeout;
import dev.cortex.provider.KeyPool;
import dev.cortex.provider.ModelCatalog;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderMetrics;
import dev.cortex.provider.ProviderRegistry;
import dev.cortex.provider.ProviderSettings;
import dev.cortex.provider.Timeouts;
import dev.cortex.provider.Upstream;
import dev.cortex.provider.WholeAnswerBreaker;
import dev.cortex.wire.OpenAiCompatibleAdapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each strategy's order under controlled conditions; no provider is called to make a plan. */
class ChainPlannerTest {

    static final List<String> CHAIN = List.of("groq", "gemini", "cohere", "ollama");
    static Vertx vertx;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    /** Prices as cost_first sees them; Ollama is local (free, no quota). */
    static final Map<String, Double> PRICES = Map.of("groq", 0.10, "gemini", 0.05, "cohere", 0.60, "ollama", 0.0);

    private static Provider provider(String name, List<String> keys, String... models) {
        ProviderSettings settings = new ProviderSettings(name);
        boolean local = name.equals("ollama");
        settings.setKind(local ? ProviderSettings.Kind.OLLAMA : ProviderSettings.Kind.OPENAI);
        settings.setBaseUrl("http://127.0.0.1:9");
        settings.setLocal(local);
        settings.setPricePerMillionTokens(PRICES.get(name));
        KeyPool pool = local ? KeyPool.keyless(name) : new KeyPool(name, keys, Clock.systemUTC());
        Timeouts timeouts = new Timeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        Upstream upstream = new Upstream(
                settings.baseUrl(),
                new OpenAiCompatibleAdapter("max_tokens", true),
                timeouts,
                Duration.ofSeconds(30),
                vertx,
                vertx.createHttpClient());
        return new Provider(
                settings,
                upstream,
                pool,
                new ModelCatalog(name, List.of(models)),
                new WholeAnswerBreaker(CircuitBreaker.ofDefaults(name), result -> false, Clock.systemUTC()),
                new FailureClassifier(
                        Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(5)),
                new Bulkhead(4, Duration.ZERO),
                new ProviderMetrics(new SimpleMeterRegistry(), name),
                FirstTokenTimeout.Settings.OFF);
    }

    record World(ProviderRegistry registry, Provider groq, Provider gemini, Provider cohere, Provider ollama) {
        ChainPlanner planner(Strategy strategy) {
            return new ChainPlanner(registry, strategy);
        }

        List<String> order(Strategy strategy) {
            return planner(strategy).plan(CHAIN, RoutePreference.DEFAULT, null).providers();
        }
    }

    private static World world() {
        Provider groq = provider("groq", List.of("gsk_a"), "llama-3.1-8b-instant");
        Provider gemini = provider("gemini", List.of("AIza_a"), "gemini-2.0-flash");
        Provider cohere = provider("cohere", List.of("co_a"), "command-r-08-2024");
        Provider ollama = provider("ollama", List.of(), "llama3.2");
        return new World(new ProviderRegistry(List.of(groq, gemini, cohere, ollama)), groq, gemini, cohere, ollama);
    }

    @Test
    void hybridIsTheYamlOrder() {
        assertThat(world().order(Strategy.HYBRID)).containsExactly("groq", "gemini", "cohere", "ollama");
    }

    @Test
    void cloudFirstAndLocalFirst() {
        World w = world();
        assertThat(w.order(Strategy.CLOUD_FIRST)).containsExactly("groq", "gemini", "cohere", "ollama");
        assertThat(w.order(Strategy.LOCAL_FIRST)).containsExactly("ollama", "groq", "gemini", "cohere");
        w.ollama().health().probeFailed("connect");
        assertThat(w.order(Strategy.LOCAL_FIRST))
                .as("an unhealthy local provider does not go first")
                .containsExactly("groq", "gemini", "cohere", "ollama");
    }

    @Test
    void speedFirstUsesMeasuredFirstTokenTimesAndKeepsUnmeasuredInYamlOrder() {
        World w = world();
        w.cohere().firstTokenLatency().record(80);
        w.gemini().firstTokenLatency().record(300);
        assertThat(w.order(Strategy.SPEED_FIRST)).containsExactly("cohere", "gemini", "groq", "ollama");
        for (int i = 0; i < 20; i++) {
            w.cohere().firstTokenLatency().record(900); // cohere slows down: the moving average follows
        }
        assertThat(w.order(Strategy.SPEED_FIRST)).startsWith("gemini", "cohere");
    }

    @Test
    void costFirstUsesThePriceTableAndLocalIsFree() {
        assertThat(world().order(Strategy.COST_FIRST)).containsExactly("ollama", "gemini", "groq", "cohere");
    }

    @Test
    void degradedGoesLastAndUnavailableIsMarkedSkipped() {
        World w = world();
        for (int i = 0; i < 100; i++) { // failing 30 % of its calls: not enough to open the breaker, enough to go last
            if (i % 10 < 3) {
                w.groq()
                        .breaker()
                        .onError(1, java.util.concurrent.TimeUnit.MILLISECONDS, new IllegalStateException("503"));
            } else {
                w.groq().breaker().onSuccess(1, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
        w.gemini().keys().coolDown("AIza_a", Duration.ofMinutes(1)); // every key cooling: unavailable
        RoutePlan plan = w.planner(Strategy.HYBRID).plan(CHAIN, RoutePreference.DEFAULT, null);
        assertThat(plan.providers()).containsExactly("gemini", "cohere", "ollama", "groq");
        assertThat(plan.steps().get(0).skip()).isEqualTo("cooling");
        assertThat(plan.steps().get(3).note()).isEqualTo("degraded: moved last");
        assertThat(plan.toHeader()).isEqualTo("gemini(skip: cooling), cohere, ollama, groq(degraded: moved last)");
    }

    @Test
    void requestPreferencesPinOrNarrowAndUnknownNamesAreRefused() {
        World w = world();
        ChainPlanner planner = w.planner(Strategy.HYBRID);
        assertThat(planner.plan(CHAIN, new RoutePreference(null, List.of("cohere", "ollama")), null)
                        .providers())
                .containsExactly("cohere", "ollama");
        assertThat(planner.plan(CHAIN, new RoutePreference(null, List.of("gemini")), null)
                        .providers())
                .containsExactly("gemini");
        assertThatThrownBy(() -> planner.plan(CHAIN, new RoutePreference(null, List.of("openai")), null))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("groq, gemini, cohere, ollama");
        assertThat(planner.plan(CHAIN, new RoutePreference(Strategy.COST_FIRST, List.of()), null)
                        .strategy())
                .isEqualTo("cost_first");
    }

    @Test
    void aModelThatBelongsToOneProviderSendsTheRequestThereFirst() {
        World w = world();
        assertThat(w.planner(Strategy.HYBRID)
                        .plan(CHAIN, RoutePreference.DEFAULT, "gemini-2.0-flash")
                        .providers())
                .containsExactly("gemini", "groq", "cohere", "ollama");
        assertThat(w.planner(Strategy.HYBRID)
                        .plan(CHAIN, RoutePreference.DEFAULT, "cohere/command-r-08-2024")
                        .providers())
                .first()
                .isEqualTo("cohere");
    }

    @Test
    void providerSlashModelReachesOnlyTheModelsConfiguredForThatProvider() {
        World w = world();
        assertThatThrownBy(() ->
                        w.planner(Strategy.HYBRID).plan(CHAIN, RoutePreference.DEFAULT, "cohere/command-a-03-2025"))
                .isInstanceOf(AccessRefusedException.class)
                .hasMessageContaining("cohere/command-a-03-2025")
                .extracting(e -> ((AccessRefusedException) e).status())
                .isEqualTo(403);
        // a name no provider serves is still answered by each provider's default, as before keys existed
        assertThat(w.planner(Strategy.HYBRID)
                        .plan(CHAIN, RoutePreference.DEFAULT, "gpt-4o")
                        .providers())
                .containsExactly("groq", "gemini", "cohere", "ollama");
    }

    @Test
    void aLocalOnlyKeysPlanLeavesTheCloudOutAndSaysWhy() {
        World w = world();
        AccessPolicy local = new AccessPolicy("private", Set.of(), List.of(), null, null, true);
        RoutePlan plan = w.planner(Strategy.CLOUD_FIRST).plan(CHAIN, RoutePreference.DEFAULT, null, local);
        assertThat(plan.providers()).containsExactly("ollama");
        assertThat(plan.positions()).containsExactly(3);
        assertThat(plan.toHeader())
                .isEqualTo("groq(skip: key is local only), gemini(skip: key is local only),"
                        + " cohere(skip: key is local only), ollama");
        assertThatThrownBy(() ->
                        w.planner(Strategy.HYBRID).plan(CHAIN, new RoutePreference(null, List.of("groq")), null, local))
                .isInstanceOf(AccessRefusedException.class)
                .hasMessageContaining("'groq'")
                .hasMessageContaining("local only");
        assertThatThrownBy(() ->
                        w.planner(Strategy.HYBRID).plan(CHAIN, RoutePreference.DEFAULT, "llama-3.1-8b-instant", local))
                .isInstanceOf(AccessRefusedException.class)
                .hasMessageContaining("groq: key is local only");
    }

    @Test
    void aKeysModelListSkipsProvidersWhoseModelItDoesNotCover() {
        World w = world();
        AccessPolicy narrow = new AccessPolicy("narrow", Set.of(), List.of("gemini/*", "llama3.2"), null, null, false);
        RoutePlan plan = w.planner(Strategy.HYBRID).plan(CHAIN, RoutePreference.DEFAULT, null, narrow);
        assertThat(plan.providers()).containsExactly("gemini", "ollama");
        assertThat(plan.steps().get(0).skip()).isEqualTo("model not allowed for key");
        assertThatThrownBy(() -> w.planner(Strategy.HYBRID).plan(CHAIN, RoutePreference.DEFAULT, "gpt-4o", narrow))
                .isInstanceOf(AccessRefusedException.class)
                .hasMessageContaining("may use only [gemini/*, llama3.2]");
        AccessPolicy groqOnly = new AccessPolicy("groq-only", Set.of("groq"), List.of(), null, null, false);
        assertThatThrownBy(() -> w.planner(Strategy.HYBRID)
                        .plan(CHAIN, new RoutePreference(null, List.of("ollama", "cohere")), null, groqOnly))
                .isInstanceOf(AccessRefusedException.class)
                .hasMessageContaining("'ollama'");
    }
}
