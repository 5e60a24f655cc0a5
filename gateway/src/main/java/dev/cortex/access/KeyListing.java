package dev.cortex.access;

import java.util.ArrayList;
import java.util.List;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.limits.KeyLimits;

/** The keys as a table for {@code cortex-key.sh list}: names, scopes and policies, never a hash. */
final class KeyListing {

    private static final String[] HEADINGS = {"NAME", "SCOPE", "STATUS", "CREATED", "POLICY"};

    private KeyListing() {}

    static String table(List<GatewayKey> keys) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADINGS);
        for (GatewayKey key : keys) {
            rows.add(new String[] {
                key.name(),
                key.admin() ? "admin" : "chat",
                key.revoked() ? "revoked" : "active",
                key.created() == null ? "-" : key.created().toString(),
                policy(key.policy())
            });
        }
        int[] widths = new int[HEADINGS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length - 1; i++) {
                out.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            out.append(row[row.length - 1]).append('\n');
        }
        return out.toString();
    }

    /** e.g. {@code providers groq,ollama; models ollama/*; max-tokens 4096; strategy cost_first; local only}. */
    static String policy(AccessPolicy policy) {
        List<String> parts = new ArrayList<>();
        parts.add(
                policy.providers().isEmpty()
                        ? "all providers"
                        : "providers "
                                + String.join(
                                        ",",
                                        policy.providers().stream().sorted().toList()));
        parts.add(policy.models().isEmpty() ? "configured models" : "models " + String.join(",", policy.models()));
        if (policy.maxTokens() != null) {
            parts.add("max-tokens " + policy.maxTokens());
        }
        if (policy.strategy() != null) {
            parts.add("strategy " + policy.strategy().wireName());
        }
        if (policy.localOnly()) {
            parts.add("local only");
        }
        KeyLimits limits = policy.limits();
        if (limits.requestsPerMinute() != KeyLimits.NONE) {
            parts.add(limits.requestsPerMinute() + " requests/min");
        }
        if (limits.tokensPerMinute() != KeyLimits.NONE) {
            parts.add(limits.tokensPerMinute() + " tokens/min");
        }
        if (limits.dayBudgetMicros() != KeyLimits.NONE) {
            parts.add("$" + KeyLimits.dollars(limits.dayBudgetMicros()) + "/day");
        }
        if (limits.monthBudgetMicros() != KeyLimits.NONE) {
            parts.add("$" + KeyLimits.dollars(limits.monthBudgetMicros()) + "/month");
        }
        return String.join("; ", parts);
    }
}
