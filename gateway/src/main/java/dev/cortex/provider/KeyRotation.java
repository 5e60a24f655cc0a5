package dev.cortex.provider;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cortex.chat.ChatContext;
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

    /** One call with one key: null once it delivered, else what went wrong before the commit point. */
    interface Attempt {
        UpstreamError with(String key);
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

    /** Returns once a key's call delivered; throws {@link ProviderFailure} to hand over to the next provider. */
    void run(ChatContext chat, Attempt attempt) {
        UpstreamError last = null;
        FailureClass lastClass = null;
        Set<String> tried = new HashSet<>(); // each key at most once per request, whatever its cool-down says
        while (true) {
            Optional<String> key = keys.acquire(tried);
            if (key.isEmpty()) { // every key is cooling down, dead, or already tried by now
                Instant retryAt = keys.earliestRecovery().orElse(null);
                if (last == null) {
                    chat.trail().record(provider, "cooling", null, retryAt);
                    throw new ProviderFailure(provider, "cooling", null, retryAt);
                }
                chat.trail().record(provider, last, lastClass, retryAt);
                throw new ProviderFailure(provider, last.label(), lastClass, retryAt);
            }
            tried.add(key.get());
            UpstreamError failed = attempt.with(key.get());
            if (failed == null) {
                return;
            }
            UpstreamError error = failed.withMessage(ApiKeys.scrub(failed.message())); // the trail may show its words
            FailureClass failure = classifier.classify(error);
            health.callFailed(error.label() + " (" + failure.name().toLowerCase() + ")");
            metrics.failed(error.label(), failure);
            switch (action(failure)) {
                case COOL_KEY -> keys.coolDown(key.get(), classifier.cooldown(error));
                case DROP_KEY -> keys.drop(key.get());
                case PAUSE_PROVIDER -> {
                    pause.pause(classifier.accessDeniedPause());
                    Instant until = pause.until().orElse(null);
                    chat.trail().record(provider, error, failure, until);
                    throw new ProviderFailure(provider, error.label(), failure, until);
                }
                case FAIL_OVER -> {
                    LOG.debug("{} failed: {} ({})", provider, error.label(), error.message());
                    chat.trail().record(provider, error, failure, null);
                    throw new ProviderFailure(provider, error.label(), failure, null);
                }
            }
            if (keys.hasUsable(tried)) {
                chat.trail().record(provider, error, failure, null); // this key failed; another key of ours tries next
                chat.trail().enter(provider);
            }
            last = error;
            lastClass = failure;
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
