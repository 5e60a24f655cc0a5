package dev.cortex.provider;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.CompletionCause;
import dev.cortex.failure.HedgeLostException;
import dev.cortex.failure.ReplyFailedException;
import dev.cortex.failure.UpstreamError;
import dev.cortex.wire.UpstreamRequest;

/**
 * One call to a provider with one key, run on Vert.x. No thread waits for it: its outcome is a future that completes
 * at the commit point (the first content token of a stream, or the whole answer). After that the call relays on its
 * own and reports how it ended to its {@link CallReport}.
 */
final class CallAttempt {

    /** Extra wait past the call's own total clock, which should always end it first. */
    private static final long GRACE_MILLIS = 5_000;

    private final String provider;
    private final Upstream upstream;
    private final ProviderMetrics metrics;
    private final FirstTokenTimeout firstToken;

    CallAttempt(String provider, Upstream upstream, ProviderMetrics metrics, FirstTokenTimeout firstToken) {
        this.provider = provider;
        this.upstream = upstream;
        this.metrics = metrics;
        this.firstToken = firstToken;
    }

    /**
     * Starts the call.
     *
     * @return completes with null once committed, with what went wrong before the commit point, or exceptionally with
     *     {@link ClientGoneException} when the caller hung up meanwhile, {@link ReplyFailedException} when the
     *     provider committed but the caller's reply head could not be written, or {@link HedgeLostException} when
     *     another provider's call for this request produced its first token first
     */
    CompletableFuture<UpstreamError> start(ChatContext chat, String model, String key, CallReport report) {
        Duration firstTokenClock = firstToken.current(model);
        UpstreamCall call = new UpstreamCall(
                upstream, upstream.timeouts().withFirstToken(firstTokenClock), chat, provider, model, report);
        UpstreamRequest request = chat.embedding() != null
                ? upstream.adapter()
                        .embedRequest(chat.embedding(), model, key)
                        .orElseThrow(() -> new IllegalStateException(provider + " has no embeddings"))
                : upstream.adapter().chatRequest(chat.request(), model, key);
        // the call's own total clock should always settle it first; this makes sure no request waits forever
        long backstop = upstream.vertx()
                .setTimer(upstream.timeouts().total().toMillis() + GRACE_MILLIS, fired -> call.overdue());
        chat.trail().callUnderWay(provider); // open while it runs, though a hedge enters another provider meanwhile
        call.start(upstream.baseUrl() + request.path(), request);
        return call.settled().handle((committed, failure) -> {
            upstream.vertx().cancelTimer(backstop);
            if (failure == null) {
                return null;
            }
            Throwable cause = CompletionCause.of(failure);
            // a call settles badly in one of four ways only: the caller left, the caller's reply could not be
            // started, a hedge's other call answered, or the provider failed before committing
            if (cause instanceof ClientGoneException gone) {
                callerLeft(chat);
                throw gone;
            }
            if (cause instanceof ReplyFailedException replyFailed) {
                throw replyFailed; // no key and no other provider can help: the request ends with an error
            }
            if (cause instanceof HedgeLostException lost) {
                throw lost; // the other provider's call answers (the trail says so already)
            }
            UpstreamError error = ((UpstreamFailedException) cause).error();
            if (error.kind() == UpstreamError.Kind.FIRST_TOKEN_TIMEOUT) {
                firstToken.timedOut(model, firstTokenClock); // no sample: it may lengthen the next call's clock
            }
            return error;
        });
    }

    /** Nobody waits for the answer any more: the provider is not to blame, and the trail says who left. */
    private void callerLeft(ChatContext chat) {
        chat.trail().record(provider, "client_gone", null);
        metrics.clientLeft(CallEvents.End.CLIENT_GONE);
    }
}
