package dev.cortex.provider;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import dev.cortex.failure.FailureClass;
import dev.cortex.failure.FailureClassifier;
import dev.cortex.failure.UpstreamError;
import dev.cortex.wire.UpstreamRequest;

/**
 * Asks a provider's model list, the cheapest call that proves it is up (no tokens billed). Key problems it reveals
 * are handled as on live traffic (cool, drop); only a provider-health failure marks the provider down until a probe
 * passes.
 */
final class ProviderProbe {

    private final Upstream upstream;
    private final KeyPool keys;
    private final ProviderStatus status;
    private final ProviderHealth health;
    private final Latency firstToken;
    private final FailureClassifier classifier;
    private final AccessPause pause;

    ProviderProbe(
            Upstream upstream,
            KeyPool keys,
            ProviderStatus status,
            ProviderHealth health,
            Latency firstToken,
            FailureClassifier classifier,
            AccessPause pause) {
        this.upstream = upstream;
        this.keys = keys;
        this.status = status;
        this.health = health;
        this.firstToken = firstToken;
        this.classifier = classifier;
        this.pause = pause;
    }

    CompletableFuture<Void> probe() {
        Optional<String> key = keys.acquire();
        if (!status.enabled() || key.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        UpstreamRequest request = upstream.adapter().probeRequest(key.get());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(upstream.baseUrl() + request.path())
                .setTimeout(upstream.timeouts().firstToken().toMillis());
        request.headers().forEach(options::putHeader);
        long start = System.nanoTime();
        CompletableFuture<Void> done = new CompletableFuture<>();
        upstream.client()
                .request(options)
                .compose(r -> r.send().compose(response -> response.body().map(body -> {
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    if (response.statusCode() == 200) {
                        health.probeSucceeded(millis);
                        firstToken.recordProbe(millis);
                    } else {
                        refused(
                                key.get(),
                                upstream.adapter().error(response.statusCode(), response::getHeader, body.toString()));
                    }
                    return (Void) null;
                })))
                .onFailure(e -> health.probeFailed(e.getClass().getSimpleName()))
                .onComplete(r -> done.complete(null));
        return done;
    }

    private void refused(String key, UpstreamError error) {
        FailureClass failure = classifier.classify(error);
        switch (failure.action()) {
            case COOL_KEY -> keys.coolDown(key, classifier.cooldown(error));
            case DROP_KEY -> keys.drop(key);
            case PAUSE_PROVIDER -> pause.pause(classifier.accessDeniedPause());
            case FAIL_OVER -> {
                if (failure.countsAgainstBreaker()) {
                    health.probeFailed(error.label());
                }
            }
        }
    }
}
