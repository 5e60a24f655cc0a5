package dev.cortex.chain;

import java.util.List;
import java.util.Optional;

import dev.cortex.provider.SkipReason;

/**
 * The order in which one request will try the chain's providers, with a note on each: why it sits where it does,
 * or why it will be skipped without a call. {@code GET /api/route} shows it as is.
 */
public record RoutePlan(String strategy, List<Step> steps) {

    /**
     * @param position where the provider stands in the chain's YAML (the load balancer's step)
     * @param skip     why it will be passed over without a call, or null when it will be tried
     * @param note     why it sits here (the strategy's measure, "degraded: moved last", ...), or null
     * @param ruledOut the caller's key rules it out: the request does not even pass through its route (an
     *                 unavailable provider's route is passed through, so its skip is counted and trailed)
     * @param unable   the skip is the request's doing: none of the provider's models can do what it needs
     */
    public record Step(String provider, int position, String skip, String note, boolean ruledOut, boolean unable) {

        public Step(String provider, int position, String skip, String note, boolean ruledOut) {
            this(provider, position, skip, note, ruledOut, false);
        }
    }

    /**
     * When no provider that is switched on and open to the caller has a model able to serve the request, why not,
     * provider by provider ({@code groq: no tools; ollama: context too small}); empty when one has, or when no
     * provider is switched on at all (then the chain's own refusal speaks).
     */
    public Optional<String> unservable() {
        List<Step> considered = steps.stream()
                .filter(s -> !s.ruledOut() && !SkipReason.DISABLED.word().equals(s.skip()))
                .toList();
        if (considered.isEmpty() || !considered.stream().allMatch(Step::unable)) {
            return Optional.empty();
        }
        return Optional.of(String.join(
                "; ",
                considered.stream().map(s -> s.provider() + ": " + s.skip()).toList()));
    }

    /** The chain positions the request passes through, in order (the ones its key rules out are left out). */
    public List<Integer> positions() {
        return steps.stream().filter(s -> !s.ruledOut()).map(Step::position).toList();
    }

    /** The plan in one header line: {@code groq(skip: cooling), gemini, ollama(degraded: moved last)}. */
    public String toHeader() {
        StringBuilder out = new StringBuilder();
        for (Step step : steps) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(step.provider());
            if (step.skip() != null) {
                out.append("(skip: ").append(step.skip()).append(')');
            } else if (step.note() != null) {
                out.append('(').append(step.note()).append(')');
            }
        }
        return out.toString();
    }

    public List<String> providers() {
        return steps.stream().filter(s -> !s.ruledOut()).map(Step::provider).toList();
    }
}
