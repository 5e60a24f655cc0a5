package dev.cortex.provider;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chat.ChatContext;
import dev.cortex.failure.CompletionCause;
import dev.cortex.failure.FailureClass;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.failure.UpstreamError;

/**
 * Moves one request through a provider's keys as the failure rules say (docs/failure-rules.md): a rate-limited key
 * rests and the next key tries, a rejected key leaves the pool, a refused account pauses the provider, and anything
 * else hands the request to the next provider. Each key is tried at most once per request.
 */
final class KeyRotation {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);

    /** One call with one key: completes with null once it delivered, else what went wrong before the commit point. */
    interface Attempt {
        CompletableFuture<UpstreamError> with(String key);
    }

    private final String provider;
    private final KeyPool keys;
    private final boolean needsKey;
    private final FailureClassifier classifier;
    private final AccessPause pause;
    private final ProviderHealth health;
    private final ProviderMetrics metrics;

    KeyRotation(
            String provider,
            KeyPool keys,
            boolean needsKey,
            FailureClassifier classifier,
            AccessPause pause,
            ProviderHealth health,
            ProviderMetrics metrics) {
        this.provider = provider;
        this.keys = keys;
        this.needsKey = needsKey;
        this.classifier = classifier;
        this.pause = pause;
        this.health = health;
        this.metrics = metrics;
    }

    /**
     * Completes once a key's call delivered; fails with {@link ProviderFailure} to hand over to the next provider, or
     * with what the attempt itself failed with (the caller left, the reply could not be started).
     */
    CompletableFuture<Void> run(ChatContext chat, Attempt attempt) {
        Rotation rotation = new Rotation(chat, attempt);
        rotation.next();
        return rotation.outcome;
    }

    /** One request's way through the keys: each key at most once, whatever its cool-down says. */
    private final class Rotation {
        private final ChatContext chat;
        private final Attempt attempt;
        private final CompletableFuture<Void> outcome = new CompletableFuture<>();
        private final Set<String> tried = new HashSet<>();
        private UpstreamError last;
        private FailureClass lastClass;

        Rotation(ChatContext chat, Attempt attempt) {
            this.chat = chat;
            this.attempt = attempt;
        }

        void next() {
            Optional<String> key = keys.acquire(tried);
            if (key.isEmpty()) { // every key is cooling down, dead, or already tried by now
                Instant retryAt = keys.earliestRecovery().orElse(null);
                if (last == null) {
                    chat.trail().record(provider, "cooling", null, retryAt);
                    outcome.completeExceptionally(new ProviderFailure(provider, "cooling", null, retryAt));
                } else {
                    chat.trail().record(provider, last, lastClass, retryAt);
                    outcome.completeExceptionally(new ProviderFailure(provider, last.label(), lastClass, retryAt));
                }
                return;
            }
            tried.add(key.get());
            CompletableFuture<UpstreamError> call;
            try {
                call = attempt.with(key.get());
            } catch (RuntimeException notStarted) {
                outcome.completeExceptionally(notStarted);
                return;
            }
            call.whenComplete((failed, thrown) -> {
                try {
                    if (thrown != null) {
                        outcome.completeExceptionally(CompletionCause.of(thrown));
                    } else if (failed == null) {
                        outcome.complete(null);
                    } else if (handled(key.get(), failed)) {
                        next();
                    }
                } catch (RuntimeException bug) {
                    outcome.completeExceptionally(bug); // whatever happens, the request hears of it
                }
            });
        }

        /** Sets the key aside as the failure rules say: true when another key of ours may try, else ends the rotation. */
        private boolean handled(String key, UpstreamError failed) {
            UpstreamError error = failed.withMessage(ApiKeys.scrub(failed.message())); // the trail may show its words
            FailureClass failure = classifier.classify(error);
            health.callFailed(error.label() + " (" + failure.name().toLowerCase() + ")");
            metrics.failed(error.label(), failure);
            switch (action(failure)) {
                case COOL_KEY -> keys.coolDown(key, classifier.cooldown(error));
                case DROP_KEY -> keys.drop(key);
                case PAUSE_PROVIDER -> {
                    pause.pause(classifier.accessDeniedPause());
                    Instant until = pause.until().orElse(null);
                    chat.trail().record(provider, error, failure, until);
                    outcome.completeExceptionally(new ProviderFailure(provider, error.label(), failure, until));
                    return false;
                }
                case FAIL_OVER -> {
                    LOG.debug("{} failed: {} ({})", provider, error.label(), error.message());
                    chat.trail().record(provider, error, failure, null);
                    outcome.completeExceptionally(new ProviderFailure(provider, error.label(), failure, null));
                    return false;
                }
            }
            if (keys.hasUsable(tried)) {
                chat.trail().record(provider, error, failure, null); // this key failed; another key of ours tries next
                chat.trail().enter(provider);
            }
            last = error;
            lastClass = failure;
            return true;
        }
    }

    private FailureClass.Action action(FailureClass failure) {
        FailureClass.Action action = failure.action();
        if (!needsKey && (action == FailureClass.Action.COOL_KEY || action == FailureClass.Action.DROP_KEY)) {
            return FailureClass.Action.FAIL_OVER; // a keyless provider has no key to set aside
        }
        return action;
    }
}
