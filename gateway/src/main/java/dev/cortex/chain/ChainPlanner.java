package dev.cortex.chain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.chat.RoutePreference;
import dev.cortex.chat.Strategy;
import dev.cortex.failure.AccessRefusedException;
import dev.cortex.failure.BadRequestException;
import dev.cortex.provider.Availability;
import dev.cortex.provider.ModelDemand;
import dev.cortex.provider.Provider;
import dev.cortex.provider.ProviderRegistry;

/**
 * Orders the chain's providers for one request. The YAML's order is the default; the request's strategy (or the
 * configured one) reorders it, a list of providers in the request narrows it, and a degraded provider goes last in
 * every strategy. Unavailable providers stay in the plan, marked: their route skips them without a call, and the
 * attempt trail says why, in order.
 */
public final class ChainPlanner {

    private final ProviderRegistry providers;
    private final KeyPolicyFilter keyPolicy;
    private final Strategy defaultStrategy;
    private volatile List<String> listed = List.of();

    public ChainPlanner(ProviderRegistry providers, Strategy defaultStrategy) {
        this.providers = providers;
        this.keyPolicy = new KeyPolicyFilter(providers);
        this.defaultStrategy = defaultStrategy;
    }

    /** The chain as its YAML lists it now (set when the chain route starts, again after a reload). */
    public void chainListed(List<String> names) {
        this.listed = List.copyOf(names);
    }

    /** What a request with this preference and model would do now, without calling any provider. */
    public RoutePlan explain(RoutePreference preference, String model, AccessPolicy policy) {
        return planFor(listed, preference, ModelDemand.plain(model), policy);
    }

    /** What a request with these needs would do now (the model it names is the demand's), calling no provider. */
    public RoutePlan explainFor(RoutePreference preference, ModelDemand demand, AccessPolicy policy) {
        return planFor(listed, preference, demand, policy);
    }

    public RoutePlan plan(List<String> listed, RoutePreference preference, String model) {
        return plan(listed, preference, model, AccessPolicy.UNRESTRICTED);
    }

    public RoutePlan plan(List<String> listed, RoutePreference preference, String model, AccessPolicy policy) {
        return planFor(listed, preference, ModelDemand.plain(model), policy);
    }

    /**
     * The plan for a request sent with a key of this policy: a provider or model it names outside the policy is
     * refused (403); providers the policy rules out are left out, with the reason; providers none of whose models can
     * do what the request needs are skipped, with the reason ({@code no tools}).
     */
    public RoutePlan planFor(List<String> listed, RoutePreference preference, ModelDemand demand, AccessPolicy policy) {
        String model = demand.requested();
        keyPolicy.checkNamed(policy, preference, model, listed);
        RoutePlan plan = order(listed, preference, demand);
        List<RoutePlan.Step> steps = new ArrayList<>(plan.steps().size());
        List<String> refusals = new ArrayList<>();
        for (RoutePlan.Step step : plan.steps()) {
            String ruledOut = keyPolicy.ruledOut(policy, provider(step.provider()), model);
            if (ruledOut == null) {
                steps.add(step);
            } else {
                steps.add(new RoutePlan.Step(step.provider(), step.position(), ruledOut, step.note(), true));
                refusals.add(step.provider() + ": " + ruledOut);
            }
        }
        if (!steps.isEmpty() && refusals.size() == steps.size()) {
            throw AccessRefusedException.forbidden(
                    "provider_not_allowed",
                    "Key '" + policy.keyName() + "' may use none of the providers for this request ("
                            + String.join("; ", refusals) + ").");
        }
        return new RoutePlan(plan.strategy(), steps);
    }

    private RoutePlan order(List<String> listed, RoutePreference preference, ModelDemand demand) {
        String model = demand.requested();
        Strategy strategy = preference.strategy() != null ? preference.strategy() : defaultStrategy;
        List<Step> steps = new ArrayList<>();
        if (!preference.providers().isEmpty()) {
            for (String name : preference.providers()) {
                int position = listed.indexOf(name);
                if (position < 0) {
                    throw new BadRequestException(
                            "providers",
                            "Unknown provider '" + name + "'; the chain has " + String.join(", ", listed) + ".");
                }
                steps.add(step(name, position, preference.pinned() ? "pinned" : "requested order", demand));
            }
            return finish(strategy, steps, false);
        }
        for (int i = 0; i < listed.size(); i++) {
            steps.add(step(listed.get(i), i, null, demand));
        }
        switch (strategy) {
            case HYBRID -> {}
            case CLOUD_FIRST -> steps.sort(Comparator.comparing((Step s) -> s.local()));
            case LOCAL_FIRST -> steps.sort(Comparator.comparing((Step s) -> !(s.local() && s.usable())));
            case SPEED_FIRST -> {
                steps.forEach(s -> {
                    double ms = s.provider.firstTokenLatency().averageMillis();
                    s.note = Double.isNaN(ms) ? "not measured yet" : String.format("first token %.0f ms", ms);
                });
                steps.sort(Comparator.comparingDouble((Step s) -> {
                    double ms = s.provider.firstTokenLatency().averageMillis();
                    return Double.isNaN(ms) ? Double.MAX_VALUE : ms;
                }));
            }
            case COST_FIRST -> {
                steps.forEach(s -> s.note = String.format("%.2f per million tokens", s.price()));
                steps.sort(Comparator.comparingDouble(Step::price));
            }
        }
        if (model != null) {
            // a model that belongs to one provider goes to that provider first; the others stay as fall-backs
            steps.sort(Comparator.comparing((Step s) -> !s.provider.models().serves(s.name, model)));
            steps.stream()
                    .filter(s -> s.provider.models().serves(s.name, model))
                    .forEach(s -> s.note = "serves " + model);
        }
        return finish(strategy, steps, true);
    }

    private Step step(String name, int position, String note, ModelDemand demand) {
        Step s = new Step(name, position, provider(name), demand);
        s.note = note;
        return s;
    }

    private Provider provider(String name) {
        return providers
                .get(name)
                .orElseThrow(() ->
                        new IllegalStateException("The chain names '" + name + "' but no such provider is configured"));
    }

    private static RoutePlan finish(Strategy strategy, List<Step> steps, boolean degradedLast) {
        if (degradedLast) {
            steps.sort(Comparator.comparing((Step s) -> s.degraded)); // stable: keeps the strategy's order otherwise
        }
        List<RoutePlan.Step> out = new ArrayList<>(steps.size());
        for (Step s : steps) {
            String note = degradedLast && s.degraded ? "degraded: moved last" : s.note;
            // a provider switched off reads "disabled" whatever its models could do; any other, what stops it first
            String skip = s.unable != null && !s.disabled()
                    ? s.unable
                    : s.skip.map(a -> a.reason().word()).orElse(null);
            out.add(new RoutePlan.Step(s.name, s.position, skip, note, false, s.unable));
        }
        return new RoutePlan(strategy.wireName(), out);
    }

    /** A provider's standing while one plan is made (read once, so sorting sees one consistent picture). */
    private static final class Step {
        final String name;
        final int position;
        final Provider provider;
        final Optional<Availability> skip;
        final boolean degraded;
        /** Why none of its models can serve the request ({@code no tools}), or null when one can. */
        final String unable;

        String note;

        Step(String name, int position, Provider provider, ModelDemand demand) {
            this.name = name;
            this.position = position;
            this.provider = provider;
            this.skip = provider.status().unavailable();
            this.degraded = skip.isEmpty() && provider.status().degraded();
            this.unable = provider.choose(demand).refusal();
        }

        /** Switched off (no keys): not news, and no request's doing. */
        boolean disabled() {
            return skip.isPresent() && !skip.get().news();
        }

        boolean usable() {
            return skip.isEmpty() && unable == null;
        }

        /** Runs on this machine or network: no cost per token, no quota (provider.<name>.local). */
        boolean local() {
            return provider.settings().local();
        }

        /** USD per million tokens (provider.<name>.price-per-million-tokens); a local provider's is 0. */
        double price() {
            return provider.settings().pricePerMillionTokens();
        }
    }
}
