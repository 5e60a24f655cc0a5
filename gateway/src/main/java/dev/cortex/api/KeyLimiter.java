package dev.cortex.api;

import java.time.Clock;
import java.time.Instant;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import dev.cortex.chain.PriceCeiling;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatRequest;
import dev.cortex.chat.Usage;
import dev.cortex.failure.LimitExceededException;
import dev.cortex.limits.Ask;
import dev.cortex.limits.Decision;
import dev.cortex.limits.KeyLimits;
import dev.cortex.limits.KeyUsageMeters;
import dev.cortex.limits.LimitStore;
import dev.cortex.limits.ModelPrice;
import dev.cortex.limits.RateHeaders;
import dev.cortex.limits.Reservation;
import dev.cortex.limits.Spend;
import dev.cortex.provider.ProviderRegistry;

/**
 * A chat door's step between reading a request and the chain: holds it to its key's limits (requests and tokens per
 * minute, money per day and month) and, once it has ended, settles what it reserved against what the answering
 * provider reported, and adds that to the key's usage accounts. Over a limit the request is refused (429) before
 * any provider sees it. Every request is accounted, with or without limits.
 */
public final class KeyLimiter implements Processor {

    private final LimitStore store;
    private final PriceCeiling ceiling;
    private final ProviderRegistry providers;
    private final KeyLimits defaults;
    private final int defaultCompletionTokens;
    private final KeyUsageMeters meters;
    private final Vertx vertx;
    private final Clock clock;

    /**
     * @param defaults                limits for keys whose entry sets none ({@code cortex.limits.default-*})
     * @param defaultCompletionTokens what a request without {@code max_tokens} reserves for its answer
     */
    public KeyLimiter(
            LimitStore store,
            PriceCeiling ceiling,
            ProviderRegistry providers,
            KeyLimits defaults,
            int defaultCompletionTokens,
            KeyUsageMeters meters,
            Vertx vertx,
            Clock clock) {
        this.store = store;
        this.ceiling = ceiling;
        this.providers = providers;
        this.defaults = defaults;
        this.defaultCompletionTokens = defaultCompletionTokens;
        this.meters = meters;
        this.vertx = vertx;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        admit(
                exchange.getMessage().getBody(ChatContext.class),
                AccessCheck.caller(exchange).name());
    }

    /**
     * Admits the request under key {@code keyName}, or throws {@link LimitExceededException}; an admitted request
     * carries its {@code x-ratelimit-*} headers and settles when it ends.
     */
    public void admit(ChatContext chat, String keyName) {
        KeyLimits limits = chat.policy().limits().orElse(defaults);
        Instant now = clock.instant();
        Reservation reservation;
        if (limits.any()) {
            long started = System.nanoTime();
            ChatRequest request = chat.request();
            long prompt = chat.promptTokens();
            // vectors have no completion: an embedding request counts its input only
            long completion = chat.embedding() != null
                    ? 0
                    : request.maxTokens() != null ? request.maxTokens() : defaultCompletionTokens;
            long cost = limits.hasBudget()
                    ? ceiling.of(chat.policy(), request.model()).costMicros(prompt, completion)
                    : 0;
            Decision decision = store.admit(new Ask(keyName, limits, prompt + completion, cost), now);
            if (!decision.admitted()
                    && decision.refusedBy().isBudget()
                    && ceiling.servedFree(chat.policy(), request.model())) {
                // a local model costs nothing: the request is served, by local providers only
                chat.restrictTo(chat.policy().overBudget());
                decision = store.admit(new Ask(keyName, limits, prompt + completion, 0), now);
            }
            meters.checked(System.nanoTime() - started);
            if (!decision.admitted()) {
                meters.refused(keyName, decision.refusedBy());
                throw new LimitExceededException(keyName, limits, decision);
            }
            chat.limitHeaders(RateHeaders.of(decision.requests(), decision.tokens()));
            reservation = decision.reservation();
        } else {
            reservation = new Reservation(keyName, limits, 0, 0, now); // nothing held; the use is still accounted
        }
        chat.onEnd(ended -> settle(reservation, ended));
    }

    private void settle(Reservation reservation, ChatContext chat) {
        Spend spend = spend(chat.ending());
        meters.used(reservation.key(), spend);
        if (store.remote() || Context.isOnEventLoopThread()) {
            // no reply waits for Redis to settle, and the event loop (where a stream ends) never waits for a store
            vertx.executeBlocking(
                    () -> {
                        store.settle(reservation, spend, clock.instant());
                        return null;
                    },
                    false);
        } else {
            store.settle(reservation, spend, clock.instant());
        }
    }

    /** What the ending provider reported, priced from its table; nothing when no provider answered. */
    private Spend spend(ChatContext.Ending ending) {
        if (ending.provider() == null) {
            return Spend.nothing();
        }
        Usage usage = ending.usage();
        ModelPrice price = providers
                .get(ending.provider())
                .map(p -> p.settings().price(ending.model()))
                .orElse(ModelPrice.FREE);
        String model = ending.model() == null ? Spend.NOBODY : ending.model();
        return new Spend(
                ending.provider(),
                model,
                usage.promptTokens(),
                usage.completionTokens(),
                price.costMicros(usage.billedPromptTokens(), usage.billedCompletionTokens()));
    }
}
