package dev.cortex.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cortex.api.OpenAiApi;
import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.Json;
import dev.cortex.chat.RoutePreference;
import dev.cortex.failure.FailureClass;
import dev.cortex.failure.ProviderFailure;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a queued request that every provider refused may wait for a cooldown: only if the time already spent since it
 * was taken plus the wait fit its budget and its caller's deadline, and, over Kafka, the next round at its worst still
 * ends inside the consumer's poll interval. Time is a fake clock that the stand-in chain
 * moves on by however long a round "took"; only the waits themselves (a few hundred milliseconds) are real.
 */
class MessagingChatTest {

    private static final Instant TAKEN = Instant.parse("2030-01-01T12:00:00Z");
    /** Each provider's longest call (its total timeout) in these tests. */
    private static final Map<String, Duration> WORST_CASE =
            Map.of("groq", Duration.ofSeconds(10), "gemini", Duration.ofSeconds(10), "ollama", Duration.ofSeconds(10));

    private final FakeClock clock = new FakeClock(TAKEN);
    private final AtomicInteger rounds = new AtomicInteger();
    /** How long each round of the stand-in chain takes, on the fake clock. */
    private volatile Duration roundTakes = Duration.ofSeconds(1);
    /** Whether gemini is in the chain too, cooling down for an hour. */
    private volatile boolean geminiCoolingForAnHour;
    /** The request each round of the stand-in chain was given. */
    private final List<ChatContext> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    private CamelContext camel;

    /**
     * The chain as it answers when every provider refuses: Groq rate-limited, free again 300 ms after the round
     * ends; Ollama failing (503, no known end). The second round answers.
     */
    @BeforeEach
    void startChain() throws Exception {
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:chat").process(exchange -> {
                    seen.add(exchange.getMessage().getBody(ChatContext.class));
                    if (rounds.incrementAndGet() > 1) {
                        return; // answered
                    }
                    clock.advance(roundTakes);
                    ChatContext chat = exchange.getMessage().getBody(ChatContext.class);
                    chat.trail()
                            .record(
                                    "groq",
                                    "429",
                                    FailureClass.RATE_LIMITED,
                                    clock.instant().plusMillis(300));
                    if (geminiCoolingForAnHour) {
                        chat.trail()
                                .record(
                                        "gemini",
                                        "cooling",
                                        null,
                                        clock.instant().plus(Duration.ofHours(1)));
                    }
                    chat.trail().record("ollama", "503", FailureClass.UPSTREAM_FAILED);
                    exchange.setException(new ProviderFailure("ollama", "503", FailureClass.UPSTREAM_FAILED, null));
                });
            }
        });
        camel.start();
    }

    @AfterEach
    void stopChain() {
        camel.stop();
    }

    @Test
    void waitsForTheCooldownWhenTheWaitFitsTheBudget() throws Exception {
        // 1 s spent + 0.3 s wait fits 60 s
        Exchange request = serve(budget(60, null), null);
        assertThat(rounds.get()).isEqualTo(2);
        assertThat(request.getException()).isNull();
    }

    @Test
    void theBudgetCountsTheTimeSpentSinceTheRequestWasTaken() throws Exception {
        // 60 s spent in a slow first round: a 0.3 s wait would end 60.3 s after the request was taken
        roundTakes = Duration.ofSeconds(60);
        Exchange request = serve(budget(60, null), null);
        assertThat(rounds.get()).isEqualTo(1);
        assertThat(request.getException()).isInstanceOf(ProviderFailure.class); // the 503 with each provider's reason
    }

    @Test
    void neverWaitsPastTheCallersDeadline() throws Exception {
        // the cooldown ends 1.3 s after the request was taken; its caller's deadline is 1.2 s
        Exchange request = serve(budget(60, null), TAKEN.plusMillis(1_200));
        assertThat(rounds.get()).isEqualTo(1);
        assertThat(request.getException()).isInstanceOf(ProviderFailure.class);
    }

    @Test
    void overKafkaTheNextRoundEndsInsideThePollIntervalLessItsMargin() throws Exception {
        // a consumer may hold a request 300 s (poll interval less margin); 285 s spent + 0.3 s + 20 s would overrun it
        roundTakes = Duration.ofSeconds(285);
        Exchange request = serve(budget(3_600, Duration.ofSeconds(300)), null);
        assertThat(rounds.get()).isEqualTo(1);
        assertThat(request.getException()).isInstanceOf(ProviderFailure.class);
    }

    @Test
    void overJmsTheSameRequestWaitsWhenItsOwnBudgetAllows() throws Exception {
        roundTakes = Duration.ofSeconds(285);
        Exchange request = serve(budget(3_600, null), null);
        assertThat(rounds.get()).isEqualTo(2);
        assertThat(request.getException()).isNull();
    }

    @Test
    void aProviderStillCoolingWhenTheNextRoundStartsAddsNothingToItsWorstCase() throws Exception {
        // over Kafka, gemini will be passed over unasked: 1.3 s + 20 s (groq, ollama) fits 25 s; counting gemini would
        // not
        geminiCoolingForAnHour = true;
        Exchange request = serve(budget(3_600, Duration.ofSeconds(25)), null);
        assertThat(rounds.get()).isEqualTo(2);
        assertThat(request.getException()).isNull();
    }

    @Test
    void theNextRoundKeepsTheKeysPolicyLimitHeadersAndEndListenersWithAFreshTrail() throws Exception {
        AccessPolicy policy = new AccessPolicy("team-a", Set.of("ollama", "groq"), List.of(), 64, null, false);
        AtomicInteger ends = new AtomicInteger();
        ChatContext first = request();
        first.restrictTo(policy);
        first.limitHeaders(Map.of("x-ratelimit-remaining-requests", "4"));
        first.explainRoute(true);
        first.onEnd(chat -> ends.incrementAndGet());

        Exchange request = serve(budget(60, null), null, first);
        assertThat(request.getException()).isNull();
        assertThat(seen).hasSize(2);
        ChatContext second = seen.get(1);
        assertThat(second).isNotSameAs(first);
        assertThat(second.trail().entries()).as("a fresh trail").isEmpty();
        assertThat(second.policy()).isEqualTo(policy);
        assertThat(second.limitHeaders()).containsEntry("x-ratelimit-remaining-requests", "4");
        assertThat(second.request()).isSameAs(first.request());
        assertThat(second.preference()).isEqualTo(first.preference());
        second.route("ollama, groq");
        assertThat(second.route()).as("still asked to explain its route").isEqualTo("ollama, groq");

        // the request ends once, for the round that answered: its key's reservation settles once
        second.ended("complete", null);
        second.ended("complete", null);
        assertThat(ends.get()).isEqualTo(1);
        assertThat(first.ending()).isNull();
    }

    private static MessagingChat.Budget budget(long maxWaitSeconds, Duration consumerLimit) {
        return new MessagingChat.Budget(Duration.ofSeconds(maxWaitSeconds), consumerLimit, WORST_CASE, Duration.ZERO);
    }

    /** A request as MessagingRequest hands it on, taken at {@link #TAKEN}, through MessagingChat. */
    private Exchange serve(MessagingChat.Budget budget, Instant deadline) throws Exception {
        return serve(budget, deadline, request());
    }

    private Exchange serve(MessagingChat.Budget budget, Instant deadline, ChatContext chat) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(MessagingProperties.TAKEN_AT, TAKEN);
        exchange.setProperty(MessagingProperties.DEADLINE, deadline);
        exchange.getMessage().setBody(chat);
        new MessagingChat(camel, budget, clock).process(exchange);
        return exchange;
    }

    private static ChatContext request() throws Exception {
        return new ChatContext(
                new OpenAiApi().parse(Json.parse(JmsMessagingTest.chat("hi"))), null, RoutePreference.DEFAULT);
    }

    /** A clock that stands still unless moved. */
    private static final class FakeClock extends Clock {
        private final AtomicReference<Instant> now;

        FakeClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
