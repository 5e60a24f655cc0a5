package dev.cortex.provider;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.vertx.core.Context;

import dev.cortex.chat.ChatContext;
import dev.cortex.chat.ChatResult;
import dev.cortex.chat.FinishReason;
import dev.cortex.chat.ReplyStream;
import dev.cortex.chat.StreamListener;
import dev.cortex.chat.ToolCallAssembler;
import dev.cortex.chat.Usage;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.HedgeLostException;
import dev.cortex.failure.ReplyFailedException;
import dev.cortex.failure.UpstreamError;
import dev.cortex.wire.UpstreamRequest;

/**
 * One streaming call to one provider with one key, from request to the end of its stream: the call's state (before
 * or after its commit point, over or not) and what it tells the caller. The HTTP side is {@link UpstreamExchange}.
 *
 * <p>Everything happens on one Vert.x event loop: response callbacks, timers, and the relay of tokens to the caller.
 * No thread waits for it: the chain goes on when {@link #settled()} completes, at the commit point (the first content
 * token for a streaming caller; the end of the answer otherwise), or when it fails while failing over is still
 * possible: with the {@link UpstreamError} when the provider failed, with {@link ClientGoneException} when the caller
 * hung up, with {@link ReplyFailedException} when the caller's reply head could not be written. After the commit
 * point the call's one outcome is reported through {@link CallEvents#ended}.
 *
 * <p>The clocks ({@link CallClocks}) measure the provider only. While the caller is slow to take what was relayed,
 * the upstream read is paused, and so are the idle and total clocks: the provider is not sending because Cortex asked
 * it not to. The caller then has {@code clientWriteTimeout} to catch up, or its stream is dropped — its fault, not
 * the provider's.
 */
final class UpstreamCall implements StreamListener, UpstreamExchange.Reader {

    private final Context context;
    private final Duration clientWriteTimeout;
    private final ChatContext chat;
    private final String provider;
    private final CallEvents events;
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final CallClocks clocks;
    private final UpstreamExchange exchange;

    // confined to the event loop of `context`
    private String model;
    private boolean committed;
    private boolean answers; // this call won the request's race: no need to ask again for every fragment
    private boolean finished;
    private final StringBuilder text = new StringBuilder();
    private final ToolCallAssembler toolCalls = new ToolCallAssembler();
    private List<float[]> vectors = List.of();
    private boolean calledTools;
    private FinishReason finishReason = FinishReason.STOP;
    private Usage usage = Usage.NONE;

    /** @param timeouts this call's clocks: the provider's, with the first-token one as it stands for this model */
    UpstreamCall(
            Upstream upstream, Timeouts timeouts, ChatContext chat, String provider, String model, CallEvents events) {
        // the caller's event loop when called from a platform-http worker: the relay then never changes threads
        this.context = upstream.vertx().getOrCreateContext();
        this.clientWriteTimeout = upstream.clientWriteTimeout();
        this.chat = chat;
        this.provider = provider;
        this.model = model;
        this.events = events;
        this.clocks = new CallClocks(upstream.vertx(), timeouts, this::fail);
        this.exchange = new UpstreamExchange(
                upstream.client(), upstream.resets(), upstream.adapter(), this, this, chat.embedding() != null);
    }

    /** Completes at the commit point; fails with {@link UpstreamFailedException} or {@link ClientGoneException} before it. */
    CompletableFuture<Void> settled() {
        return settled;
    }

    void start(String url, UpstreamRequest upstream) {
        context.runOnContext(v -> {
            // stopped at once (after this) when another call of this request already answers it
            chat.race().enter(this, () -> {
                chat.trail().record(provider, "hedge_lost", null); // before the winner's answer goes out
                context.runOnContext(lost -> lostRace());
            });
            clocks.start();
            chat.client().onGone(() -> context.runOnContext(gone -> clientGone()));
            exchange.send(url, upstream);
        });
    }

    /** No outcome long after the total clock should have given one (a backstop): the call failed, on the provider. */
    void overdue() {
        context.runOnContext(
                v -> fail(UpstreamError.of(UpstreamError.Kind.TOTAL_TIMEOUT, "no outcome within the total timeout")));
    }

    @Override
    public boolean open() {
        return !finished;
    }

    @Override
    public void failed(UpstreamError error) {
        fail(error);
    }

    @Override
    public void dataArrived() {
        clocks.dataArrived();
    }

    @Override
    public void completed() {
        if (calledTools && finishReason == FinishReason.STOP) {
            // Gemini and Ollama end a turn that calls tools with a plain stop; OpenAI's callers loop on tool_calls
            finishReason = FinishReason.TOOL_CALLS;
        }
        if (chat.streaming()) {
            if (!committed && !commit()) { // a complete answer with no text at all (e.g. max_tokens reached at once)
                return;
            }
            end(CallEvents.End.COMPLETE, null);
            chat.stream().complete(finishReason, usage);
        } else {
            if (!chat.race().claim(this)) { // an answer with no token at all, while a hedge's call answers
                lostRace();
                return;
            }
            end(CallEvents.End.COMPLETE, null);
            chat.addUpstreamTime(clocks.sinceStartNanos());
            chat.answered(
                    new ChatResult(text.toString(), finishReason, usage, provider, model, toolCalls.calls(), vectors));
            chat.trail().record(provider, "ok", null);
            settled.complete(null);
        }
    }

    @Override
    public void onText(String fragment) {
        if (finished) {
            return;
        }
        if (!chat.streaming()) {
            if (firstTokenArrived()) {
                text.append(fragment);
            }
            return;
        }
        relay(stream -> stream.text(fragment));
    }

    /** A tool call is content: it commits a stream as a first token does, and it travels in stream order. */
    @Override
    public void onToolCall(int index, String id, String name, String argumentsFragment) {
        if (finished) {
            return;
        }
        calledTools = true;
        if (!chat.streaming()) {
            if (firstTokenArrived()) {
                toolCalls.add(index, id, name, argumentsFragment);
            }
            return;
        }
        relay(stream -> stream.toolCall(index, id, name, argumentsFragment));
    }

    /** Passes content on to a streaming caller, committing first; holds the provider back while the caller lags. */
    private void relay(Consumer<ReplyStream> write) {
        if (!committed && !commit()) {
            return;
        }
        ReplyStream stream = chat.stream();
        write.accept(stream);
        if (stream.congested() && exchange.reading() && !clocks.providerPaused()) {
            waitForClient();
        }
    }

    /** An embedding answer arrives whole: its vectors are its first token. */
    @Override
    public void onEmbeddings(List<float[]> embedded) {
        if (finished) {
            return;
        }
        if (firstTokenArrived()) {
            vectors = List.copyOf(embedded);
        }
    }

    /**
     * The commit point: the caller's reply head goes out and the chain goes on. When the head cannot be
     * written, the call ends here and the chain gets {@link ReplyFailedException}, so that the provider's
     * slot is freed and the caller answered with an error at once, not after the total timeout.
     *
     * @return whether the head went out
     */
    private boolean commit() {
        if (!firstTokenArrived()) {
            return false;
        }
        committed = true;
        chat.addUpstreamTime(clocks.sinceStartNanos());
        try {
            chat.stream().commit(chat.commitHead(provider, model));
        } catch (RuntimeException headFailed) {
            stop();
            settled.completeExceptionally(new ReplyFailedException(headFailed));
            return false;
        }
        settled.complete(null);
        return true;
    }

    @Override
    public void onFinish(FinishReason reason) {
        finishReason = reason;
    }

    @Override
    public void onUsage(Usage reported) {
        usage = reported;
    }

    @Override
    public void onModel(String served) {
        model = served;
    }

    /**
     * The caller's connection holds more than it has taken: stop reading the provider, and stop the provider's clocks
     * with it, until the caller catches up — or drop the caller when it does not within the client write timeout.
     */
    private void waitForClient() {
        exchange.pause();
        clocks.pauseProvider(clientWriteTimeout, this::clientTooSlow);
        chat.stream().onDrain(() -> context.runOnContext(v -> clientCaughtUp()));
    }

    private void clientCaughtUp() {
        if (finished || !clocks.providerPaused()) {
            return;
        }
        clocks.resumeProvider();
        exchange.resume();
    }

    private void clientTooSlow() {
        if (finished) {
            return;
        }
        end(CallEvents.End.CLIENT_TOO_SLOW, null);
        chat.stream().abandon();
    }

    /** The caller hung up: before the commit point the chain stops; after it, the stream ends here. */
    private void clientGone() {
        if (finished) {
            return;
        }
        if (committed) {
            end(CallEvents.End.CLIENT_GONE, null);
        } else {
            stop();
            settled.completeExceptionally(new ClientGoneException());
        }
    }

    /** The provider failed: before the commit point the chain may try another; after it, the stream says so. */
    private void fail(UpstreamError error) {
        if (finished) {
            return;
        }
        if (!committed) {
            stop();
            chat.race().withdraw(this); // a non-streaming answer may have begun: the next provider may still answer
            chat.addUpstreamTime(clocks.sinceStartNanos());
            settled.completeExceptionally(new UpstreamFailedException(error));
            return;
        }
        end(CallEvents.End.BROKEN, error);
        chat.stream()
                .fail(
                        "upstream_" + error.label(),
                        "The provider '" + provider + "' failed mid-stream (" + error.label()
                                + "); the answer is incomplete.");
    }

    /** A call that delivered (committed, or answered in full) is over: it reports how, once. */
    private void end(CallEvents.End how, UpstreamError error) {
        long providerMillis = clocks.providerMillis();
        stop(how == CallEvents.End.COMPLETE);
        events.ended(how, providerMillis, usage, error);
    }

    private void stop() {
        stop(false);
    }

    /** Stops every clock, and lets the connection go ({@link UpstreamExchange#close}). */
    private void stop(boolean readToTheEnd) {
        finished = true;
        clocks.stopAll();
        exchange.close(readToTheEnd);
    }

    /**
     * The first token is here: stop its clock and tell the provider how long it took.
     *
     * @return false when another call of this request answers it instead (a hedge): this one is then over
     */
    private boolean firstTokenArrived() {
        if (!answers) {
            answers = chat.race().claim(this);
            if (!answers) {
                lostRace();
                return false;
            }
        }
        long millis = clocks.firstTokenArrived();
        if (millis >= 0) {
            events.firstToken(millis);
        }
        return true;
    }

    /** Another call of this request produced its first token first (a hedge): this one stops, blaming nobody. */
    private void lostRace() {
        if (finished || committed) {
            return;
        }
        stop();
        settled.completeExceptionally(new HedgeLostException());
    }
}
