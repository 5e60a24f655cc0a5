package dev.cortex.chain;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.ExchangeHelper;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.CompletionCause;
import dev.cortex.failure.HedgeLostException;
import dev.cortex.failure.ProviderFailure;

/**
 * One request's way down its plan, for {@link ProviderFailover}. Providers are asked in order; a provider's route
 * returns as soon as its call is under way, and the run goes on when that call settles: the answer goes back, or the
 * next provider is asked (on a worker: asking may block, a local model loading). When the request is hedged
 * ({@link Hedging}) and the call under way is late, the next provider is asked beside it, and the first to produce a
 * token answers.
 *
 * <p>Events come from several threads (the worker asking, the event loops where calls settle, a hedge's timer);
 * the run's state changes under its lock, and only one thread asks providers at a time ({@code asking}). Whoever
 * ends the run calls back, once.
 */
final class ChainRun {

    private final Exchange exchange;
    private final AsyncCallback callback;
    private final AsyncProcessor[] steps;
    private final List<String> names;
    private final RoutePlan plan;
    private final List<Integer> positions;
    private final ChatContext chat;
    private final Hedging hedging;
    private final Executor workers;

    // guarded by this
    private int next;
    private int underWay;
    private boolean asking = true; // the thread that starts the run asks first
    private boolean stopped;
    private boolean over;
    private boolean hedged;
    private String late;
    private long hedgeTimer = -1;
    private Throwable last;

    /** @param names the provider of each step, by step */
    ChainRun(
            Exchange exchange,
            AsyncCallback callback,
            AsyncProcessor[] steps,
            List<String> names,
            RoutePlan plan,
            ChatContext chat,
            Hedging hedging,
            Executor workers) {
        this.exchange = exchange;
        this.callback = callback;
        this.steps = steps;
        this.names = names;
        this.plan = plan;
        this.positions = plan.positions();
        this.chat = chat;
        this.hedging = hedging;
        this.workers = workers;
    }

    /** @return true when the run is over already (the exchange has its answer or its exception), false when it waits */
    boolean start() {
        return ask();
    }

    /**
     * Asks providers in plan order until one has a call under way, or none is left. The caller set {@code asking}.
     *
     * @return true when this ended the run: the caller calls back
     */
    private boolean ask() {
        try {
            while (true) {
                int position;
                synchronized (this) {
                    if (over) {
                        asking = false;
                        return false;
                    }
                    if (!stopped && next < positions.size() && chat.client().gone()) {
                        last = new ClientGoneException(); // nobody to answer: ask no one else
                        stopped = true;
                    }
                    if (stopped || next >= positions.size()) {
                        asking = false;
                        return underWay == 0 && end(); // else the call under way ends the run
                    }
                    position = positions.get(next++);
                }
                Exchange attempt = ExchangeHelper.createCopy(exchange, true);
                try {
                    steps[position].process(attempt); // the provider's route returns once its call is under way
                } catch (Exception e) {
                    attempt.setException(e);
                }
                if (attempt.getException() != null) {
                    synchronized (this) {
                        note(attempt.getException());
                    }
                    continue;
                }
                CompletableFuture<Void> call = chat.takeCallUnderWay();
                if (call != null && call.isCompletedExceptionally()) { // failed at once: no need to wait
                    synchronized (this) {
                        note(failureOf(call));
                    }
                    continue;
                }
                String provider = names.get(position);
                synchronized (this) {
                    asking = false;
                    underWay++;
                }
                if (call == null) { // answered without a call under way
                    settled(attempt, provider, null);
                    return false; // settled() called back
                }
                call.whenComplete((answered, failure) -> settled(attempt, provider, failure));
                hedgeLater(provider);
                return false;
            }
        } catch (RuntimeException bug) {
            synchronized (this) {
                asking = false;
                stopped = true;
                last = bug; // whatever happens, the caller hears of it
                return underWay == 0 && end();
            }
        }
    }

    /** A call under way settled: the answer goes back, or the next provider is asked, or the other call decides. */
    private void settled(Exchange attempt, String provider, Throwable failure) {
        boolean answered = false;
        boolean ended = false;
        synchronized (this) {
            underWay--;
            if (over) {
                return; // a hedge's other call, after the winner answered
            }
            cancelHedge();
            if (failure == null) {
                over = true;
                answered = true;
            } else {
                note(CompletionCause.of(failure));
                if (underWay > 0 || asking) {
                    return; // the other call under way, or the thread asking now, carries on
                }
                if (stopped || next >= positions.size()) {
                    ended = end();
                } else {
                    asking = true;
                }
            }
        }
        if (answered) {
            ExchangeHelper.copyResults(exchange, attempt);
            if (hedged && !provider.equals(late)) {
                hedging.won(late);
            }
            callback.done(false);
        } else if (ended) {
            callback.done(false);
        } else {
            workers.execute(() -> {
                if (ask()) {
                    callback.done(false);
                }
            });
        }
    }

    /** Sets a timer for the hedge, when this request is hedged and the call just started has a next provider. */
    private void hedgeLater(String provider) {
        synchronized (this) {
            if (hedged || over || next >= positions.size()) {
                return;
            }
        }
        OptionalLong delay = hedging.delayMillis(plan, provider);
        if (delay.isEmpty()) {
            return;
        }
        synchronized (this) {
            if (!over && underWay > 0 && hedgeTimer < 0) {
                hedgeTimer = hedging.schedule(delay.getAsLong(), () -> hedgeDue(provider));
            }
        }
    }

    /** The call under way has no first token yet at its usual time: the next provider is asked beside it. */
    private void hedgeDue(String provider) {
        synchronized (this) {
            hedgeTimer = -1;
            if (over
                    || hedged
                    || asking
                    || stopped
                    || underWay == 0
                    || next >= positions.size()
                    || chat.race().decided()) {
                return;
            }
            hedged = true;
            late = provider;
            asking = true;
        }
        hedging.started(provider);
        workers.execute(() -> {
            if (ask()) {
                callback.done(false);
            }
        });
    }

    /** What a provider's failure means for the run: the next may be asked, or (the caller left, a bug) none. */
    private void note(Throwable failure) {
        if (failure instanceof HedgeLostException) {
            return; // the other call answers
        }
        last = failure;
        if (!ChainVerdict.noAnswer(failure)) {
            stopped = true;
        }
    }

    /** No call is under way and none will be asked: the run ends with what went wrong last. Always true. */
    private boolean end() {
        over = true;
        cancelHedge();
        exchange.setException(
                last != null
                        ? last
                        : new ProviderFailure("chain", "no_provider", null, null)); // nothing to try for this request
        return true;
    }

    private void cancelHedge() {
        if (hedgeTimer >= 0) {
            hedging.cancel(hedgeTimer);
            hedgeTimer = -1;
        }
    }

    private static Throwable failureOf(CompletableFuture<Void> settled) {
        try {
            settled.join();
            throw new IllegalStateException("a call that failed completed normally");
        } catch (CompletionException | CancellationException e) {
            return CompletionCause.of(e);
        }
    }
}
