package dev.cortex.chain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;

import dev.cortex.chat.AttemptTrail;
import dev.cortex.failure.BadRequestException;
import dev.cortex.failure.FailureClass;
import dev.cortex.failure.ProviderFailure;
import dev.cortex.provider.Capabilities;

/**
 * What the caller hears when no provider answered, decided from the attempt trail alone, the same for every front
 * door (HTTP, JMS, Kafka):
 * <ul>
 *   <li>every provider that was asked refused the request itself (400/404/413/422): the request is what fails
 *       everywhere, so the caller gets that 4xx (their common status, else 400), naming each provider's reason;</li>
 *   <li>a pinned provider that could not answer: the gateway's own status — 504 for a timeout, 503 when it is
 *       resting (rate limit, quota, breaker, busy), else 502 — never the provider's 401/403, since the caller's
 *       credentials were not what failed;</li>
 *   <li>otherwise 503, every provider's reason in order.</li>
 * </ul>
 * A 503 carries the earliest moment a provider that refused may be tried again, when one of them has a known end.
 *
 * @param code one of {@code rejected_by_provider}, {@code provider_failed}, {@code all_providers_failed}
 */
public record ChainVerdict(int status, String code, String message, Optional<Instant> retryAt) {

    /**
     * Whether a failure means "this provider did not answer, try the next one" (a refusal, a failure, a breaker or
     * bulkhead turning the call away), as opposed to the caller leaving or a bug: when the chain ends on one of
     * these, no provider answered and this verdict speaks.
     */
    public static boolean noAnswer(Throwable failure) {
        return failure instanceof ProviderFailure
                || failure instanceof CallNotPermittedException
                || failure instanceof BulkheadFullException;
    }

    public static ChainVerdict of(AttemptTrail trail, boolean pinned) {
        List<AttemptTrail.Entry> shown =
                trail.entries().stream().filter(AttemptTrail.Entry::shown).toList();
        // a provider passed over for what the request needs was not asked: it neither refused nor failed
        List<AttemptTrail.Entry> asked =
                shown.stream().filter(e -> !Capabilities.isReason(e.outcome())).toList();
        if (asked.isEmpty() && !shown.isEmpty()) {
            // every provider passed over because of what the request needs (the plan usually says so first)
            return new ChainVerdict(
                    400,
                    BadRequestException.CAPABILITY_UNAVAILABLE,
                    "No configured provider has a model that can serve this request. " + reasons(trail),
                    Optional.empty());
        }
        if (!asked.isEmpty() && asked.stream().allMatch(ChainVerdict::refusedTheRequest)) {
            int first = asked.get(0).status();
            int status = asked.stream().allMatch(e -> e.status() == first) ? first : 400;
            return new ChainVerdict(
                    status,
                    "rejected_by_provider",
                    (asked.size() == 1 ? "The provider refused the request. " : "Every provider refused the request. ")
                            + reasons(trail),
                    Optional.empty());
        }
        if (pinned && !asked.isEmpty()) {
            int status = pinnedStatus(asked.get(asked.size() - 1));
            return new ChainVerdict(
                    status,
                    "provider_failed",
                    "The provider could not answer. " + reasons(trail),
                    status == 503 ? trail.retryAt() : Optional.empty());
        }
        return new ChainVerdict(503, "all_providers_failed", exhausted(trail), trail.retryAt());
    }

    private static boolean refusedTheRequest(AttemptTrail.Entry e) {
        return e.failureClass() != null && e.failureClass().refusesRequest();
    }

    private static int pinnedStatus(AttemptTrail.Entry e) {
        if ("timeout".equals(e.outcome())) {
            return 504;
        }
        FailureClass c = e.failureClass();
        if (c == FailureClass.UPSTREAM_FAILED || c == FailureClass.INVALID_KEY || c == FailureClass.ACCESS_DENIED) {
            return 502; // the provider answered badly, or refused the gateway's own account
        }
        return 503; // resting or skipped: rate limit, quota, breaker, busy, no usable key
    }

    /** {@code Retry-After} in whole seconds from {@code now}, rounded up and at least 1; empty when none is known. */
    public Optional<Long> retryAfterSeconds(Instant now) {
        return retryAt.map(at -> Math.max(1, Duration.between(now, at).toSeconds() + 1));
    }

    /** The 503 message: every provider's reason, in chain order (never a key). */
    private static String exhausted(AttemptTrail trail) {
        if (trail == null || trail.entries().isEmpty()) {
            return "No provider could answer: none is enabled.";
        }
        return "No provider could answer. " + reasons(trail);
    }

    private static String reasons(AttemptTrail trail) {
        StringJoiner reasons = new StringJoiner("; ");
        for (AttemptTrail.Entry e : trail.entries()) {
            String why = e.failureClass() == null
                    ? e.outcome()
                    : e.outcome() + " (" + e.failureClass().name().toLowerCase(Locale.ROOT) + ")";
            reasons.add(e.provider() + ": " + why + (e.detail() == null ? "" : " — " + e.detail()));
        }
        return reasons.toString();
    }
}
