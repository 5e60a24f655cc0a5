package dev.cortex.provider;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chat.ChatContext;
import dev.cortex.chat.Usage;
import dev.cortex.failure.FailureClass;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.failure.UpstreamError;

/**
 * How one call reports back: latency, and its one outcome once it delivered. The call's bulkhead slot is freed
 * here. The breaker's verdict on a call that delivered is given here too, when the answer ends (see {@link
 * WholeAnswerBreaker}): a success, a failure, or — when the caller left — nothing at all.
 */
final class CallReport implements CallEvents {

    private static final Logger LOG = LoggerFactory.getLogger(CallReport.class);

    /** What every report of one provider writes to. */
    record Sinks(
            String provider,
            Latency firstToken,
            FirstTokenTimeout firstTokenTimeout,
            ProviderMetrics metrics,
            ProviderHealth health,
            WholeAnswerBreaker breaker,
            FailureClassifier classifier) {}

    private final Sinks sinks;
    private final ChatContext chat;
    private final String model;
    private final Bulkhead.Permit permit;

    /** @param model the model the call asked for: its first-token times are its clock's samples */
    CallReport(Sinks sinks, ChatContext chat, String model, Bulkhead.Permit permit) {
        this.sinks = sinks;
        this.chat = chat;
        this.model = model;
        this.permit = permit;
    }

    @Override
    public void firstToken(long millis) {
        sinks.firstToken().record(millis);
        sinks.firstTokenTimeout().answered(model, millis);
        chat.firstToken(millis);
        sinks.metrics().firstToken(millis);
    }

    @Override
    public void ended(End how, long providerMillis, Usage usage, UpstreamError error) {
        permit.release();
        switch (how) {
            case COMPLETE -> {
                sinks.health().answered(); // a whole answer is fresher news than the last probe
                sinks.metrics().answered(providerMillis, usage);
                sinks.breaker().onSuccess(providerMillis, TimeUnit.MILLISECONDS);
            }
            case BROKEN -> {
                FailureClass failure = sinks.classifier().classify(error);
                sinks.health().callFailed(error.label() + " after the first token");
                sinks.metrics().broken(error.label(), failure, usage);
                LOG.warn("{}: stream failed after the first token ({})", sinks.provider(), error.label());
                sinks.breaker()
                        .onError(
                                providerMillis,
                                TimeUnit.MILLISECONDS,
                                new ProviderFailure(sinks.provider(), error.label(), failure, null));
            }
            case CLIENT_GONE, CLIENT_TOO_SLOW -> {
                sinks.metrics().clientLeft(how);
                sinks.metrics().tokens(usage);
                LOG.debug(
                        "{}: the caller {} mid-stream; the call is cancelled",
                        sinks.provider(),
                        how == End.CLIENT_GONE ? "hung up" : "stopped reading");
                sinks.breaker().releasePermission(); // the answer says nothing about the provider
            }
        }
        if (chat.streaming()) {
            // a stream ends here, after its head went out; a whole answer ends when the front door writes it
            chat.ended(how.name().toLowerCase(Locale.ROOT), usage);
        }
    }
}
