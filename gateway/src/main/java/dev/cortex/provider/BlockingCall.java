package dev.cortex.provider;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.ClientGoneException;
import dev.cortex.failure.ReplyFailedException;
import dev.cortex.failure.UpstreamError;
import dev.cortex.wire.UpstreamRequest;

/**
 * One call to a provider with one key, run on Vert.x, blocking the route's thread only until the commit point: the
 * first content token of a stream, or the whole answer. After that the call relays on its own and reports how it
 * ended to its {@link CallReport}.
 */
final class BlockingCall {

    /** Extra wait past the call's own total clock, which should always end it first. */
    private static final long GRACE_MILLIS = 5_000;

    private final String provider;
    private final Upstream upstream;
    private final ProviderMetrics metrics;
    private final FirstTokenTimeout firstToken;

    BlockingCall(String provider, Upstream upstream, ProviderMetrics metrics, FirstTokenTimeout firstToken) {
        this.provider = provider;
        this.upstream = upstream;
        this.metrics = metrics;
        this.firstToken = firstToken;
    }

    /**
     * @return null once committed, else what went wrong before the commit point
     * @throws ClientGoneException when the caller hung up meanwhile
     * @throws ReplyFailedException when the provider committed but the caller's reply head could not be written
     */
    UpstreamError attempt(ChatContext chat, String model, String key, CallReport report) {
        Duration firstTokenClock = firstToken.current(model);
        UpstreamCall call = new UpstreamCall(
                upstream, upstream.timeouts().withFirstToken(firstTokenClock), chat, provider, model, report);
        UpstreamRequest request = chat.embedding() != null
                ? upstream.adapter()
                        .embedRequest(chat.embedding(), model, key)
                        .orElseThrow(() -> new IllegalStateException(provider + " has no embeddings"))
                : upstream.adapter().chatRequest(chat.request(), model, key);
        call.start(upstream.baseUrl() + request.path(), request);
        try {
            call.settled().get(upstream.timeouts().total().toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            // a call settles badly in one of three ways only: the caller left, the caller's reply could not be started,
            // or the provider failed before committing
            if (e.getCause() instanceof ClientGoneException gone) {
                callerLeft(chat);
                throw gone;
            }
            if (e.getCause() instanceof ReplyFailedException replyFailed) {
                throw replyFailed; // no key and no other provider can help: the request ends with an error
            }
            UpstreamError error = ((UpstreamFailedException) e.getCause()).error();
            if (error.kind() == UpstreamError.Kind.FIRST_TOKEN_TIMEOUT) {
                firstToken.timedOut(model, firstTokenClock); // no sample: it may lengthen the next call's clock
            }
            return error;
        } catch (TimeoutException e) {
            call.abandon(); // the call's own total clock should have ended it; make sure nothing outlives the wait
            return UpstreamError.of(UpstreamError.Kind.TOTAL_TIMEOUT, "no outcome within the total timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.abandon();
            callerLeft(chat);
            throw new ClientGoneException();
        }
    }

    /** Nobody waits for the answer any more: the provider is not to blame, and the trail says who left. */
    private void callerLeft(ChatContext chat) {
        chat.trail().record(provider, "client_gone", null);
        metrics.clientLeft(CallEvents.End.CLIENT_GONE);
    }
}
