package dev.cortex.chat;

import java.util.List;
import java.util.Set;

import dev.cortex.limits.KeyLimits;

/**
 * What one gateway key may do: which providers and models it may reach, the largest answer it may ask for, the
 * strategy its requests get when they name none, and whether they must stay on this machine. A request that breaks
 * its key's policy is refused with 403; providers the policy rules out are skipped without a call.
 *
 * @param keyName   the key's name (shown in logs, metrics and refusals; never the key itself)
 * @param providers the providers it may use; empty for every provider of the chain
 * @param models    the models it may use, as patterns: {@code model}, {@code provider/model}, {@code provider/*} or
 *                  {@code *}; empty for the configured lists of the providers it may use
 * @param maxTokens the largest {@code max_tokens} it may ask for (also applied when a request sets none); null: no
 *                  ceiling
 * @param strategy  the strategy for requests that name none; null for the configured default
 * @param localOnly its requests never leave the machine: only local providers serve it
 * @param limits    requests and tokens per minute, money per day and month
 * @param budgetSpent this request's key has spent its budget: it may reach only what costs nothing (local providers),
 *                  like a local-only key; set per request, never in the key file
 */
public record AccessPolicy(
        String keyName,
        Set<String> providers,
        List<String> models,
        Integer maxTokens,
        Strategy strategy,
        boolean localOnly,
        KeyLimits limits,
        boolean budgetSpent) {

    /** No key in play (Cortex runs without gateway keys, on loopback): everything the configuration allows. */
    public static final AccessPolicy UNRESTRICTED = new AccessPolicy("(none)", Set.of(), List.of(), null, null, false);

    public AccessPolicy {
        providers = Set.copyOf(providers);
        models = List.copyOf(models);
        limits = limits == null ? KeyLimits.UNLIMITED : limits;
    }

    /** A policy without limits. */
    public AccessPolicy(
            String keyName,
            Set<String> providers,
            List<String> models,
            Integer maxTokens,
            Strategy strategy,
            boolean localOnly) {
        this(keyName, providers, models, maxTokens, strategy, localOnly, KeyLimits.UNLIMITED);
    }

    /** A key's policy as its entry in the key file gives it. */
    public AccessPolicy(
            String keyName,
            Set<String> providers,
            List<String> models,
            Integer maxTokens,
            Strategy strategy,
            boolean localOnly,
            KeyLimits limits) {
        this(keyName, providers, models, maxTokens, strategy, localOnly, limits, false);
    }

    /** This policy for one request whose key has spent its budget: local providers only, which cost nothing. */
    public AccessPolicy overBudget() {
        return new AccessPolicy(keyName, providers, models, maxTokens, strategy, true, limits, true);
    }

    /** Whether this key may send requests to {@code provider} at all (its list; local only is checked apart). */
    public boolean allowsProvider(String provider) {
        return providers.isEmpty() || providers.contains(provider);
    }

    /** Whether the policy lists models of its own; else the configured lists rule. */
    public boolean listsModels() {
        return !models.isEmpty();
    }

    /** Whether {@code provider} answering with {@code model} matches one of this key's model patterns. */
    public boolean allowsModel(String provider, String model) {
        for (String pattern : models) {
            if (pattern.equals("*")
                    || pattern.equals(model)
                    || pattern.equals(provider + "/" + model)
                    || pattern.equals(provider + "/*")) {
                return true;
            }
        }
        return false;
    }
}
