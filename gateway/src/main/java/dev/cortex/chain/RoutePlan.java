package dev.cortex.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.cortex.provider.SkipReason;

/**
 * The order in which one request will try the chain's providers, with a note on each: why it sits where it does,
 * or why it will be skipped without a call. {@code GET /api/route} shows it as is.
 */
public record RoutePlan(String strategy, List<Step> steps) {

    private static final String DISABLED = SkipReason.DISABLED.word();

    /**
     * @param position where the provider stands in the chain's YAML (the load balancer's step)
     * @param skip     why it will be passed over without a call, or null when it will be tried
     * @param note     why it sits here (the strategy's measure, "degraded: moved last", ...), or null
     * @param ruledOut the caller's key rules it out: the request does not even pass through its route (an
     *                 unavailable provider's route is passed through, so its skip is counted and trailed)
     * @param unable   why none of the provider's models can do what the request needs ({@code no tools}), or null;
     *                 for a provider switched off too, whose skip then still reads {@code disabled}
     */
    public record Step(String provider, int position, String skip, String note, boolean ruledOut, String unable) {

        public Step(String provider, int position, String skip, String note, boolean ruledOut) {
            this(provider, position, skip, note, ruledOut, null);
        }
    }

    /**
     * When no provider that is switched on and open to the caller has a model able to serve the request, why not,
     * provider by provider ({@code groq: no tools; ollama: context too small}), naming too the providers switched off
     * that could have; empty when a provider switched on can, or when none is switched on (then the chain's own
     * refusal speaks). Keys come with the settings, so a retry would meet the same providers.
     */
    public Optional<String> unservable() {
        List<Step> open = steps.stream().filter(s -> !s.ruledOut()).toList();
        List<Step> on = open.stream().filter(s -> !DISABLED.equals(s.skip())).toList();
        if (on.isEmpty() || !on.stream().allMatch(s -> s.unable() != null)) {
            return Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        on.forEach(s -> reasons.add(s.provider() + ": " + s.unable()));
        open.stream()
                .filter(s -> DISABLED.equals(s.skip()) && s.unable() == null)
                .forEach(s -> reasons.add(s.provider() + " could, but is switched off (no keys)"));
        return Optional.of(String.join("; ", reasons));
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
