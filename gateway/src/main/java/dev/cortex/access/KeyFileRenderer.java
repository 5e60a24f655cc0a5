package dev.cortex.access;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.snakeyaml.engine.v2.resolver.CoreScalarResolver;

import dev.cortex.chat.AccessPolicy;
import dev.cortex.limits.KeyLimits;

import static dev.cortex.access.KeyFileParser.ADMIN;
import static dev.cortex.access.KeyFileParser.BUDGET_PER_DAY;
import static dev.cortex.access.KeyFileParser.BUDGET_PER_MONTH;
import static dev.cortex.access.KeyFileParser.CREATED;
import static dev.cortex.access.KeyFileParser.LOCAL_ONLY;
import static dev.cortex.access.KeyFileParser.MAX_TOKENS;
import static dev.cortex.access.KeyFileParser.MODELS;
import static dev.cortex.access.KeyFileParser.NAME;
import static dev.cortex.access.KeyFileParser.PROVIDERS;
import static dev.cortex.access.KeyFileParser.REQUESTS_PER_MINUTE;
import static dev.cortex.access.KeyFileParser.REVOKED;
import static dev.cortex.access.KeyFileParser.SHA256;
import static dev.cortex.access.KeyFileParser.STRATEGY;
import static dev.cortex.access.KeyFileParser.TOKENS_PER_MINUTE;

/**
 * Writes keys as the key file's text: a header that explains the format to whoever opens the file, then one entry per
 * key with only the fields that differ from their defaults. Written by hand rather than by a YAML dumper so the file
 * stays as readable as the example in the header, and every value reads back as what it was.
 */
final class KeyFileRenderer {

    // a plain scalar is safe when it has none of YAML's indicators and does not read back as a number, bool or null
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");

    static final String HEADER =
            """
            # Cortex gateway keys: who may call this gateway and what each key may reach.
            # Clients send a key as "Authorization: Bearer <key>" or "x-api-key: <key>". This file holds only the SHA-256
            # of each key (64 hex digits of the hash of its UTF-8 bytes): a key is shown once, when it is made, and is
            # stored nowhere. Keep this file private all the same (mode 0600).
            # Cortex notices a change on the next request, without a restart. An invalid edit is logged and ignored (the
            # last good keys stay in force) until the file is fixed; at start-up an invalid file stops Cortex.
            #
            #   scripts/cortex-key.sh new --name team-a [--admin] [--providers groq,ollama] [--models 'm1,ollama/*']
            #                             [--max-tokens 4096] [--strategy cost_first] [--local-only]
            #                             [--requests-per-minute 60] [--tokens-per-minute 100000]
            #                             [--budget-per-day 5] [--budget-per-month 100]
            #                                                  makes a key, adds its entry, prints the key once
            #   scripts/cortex-key.sh revoke --name team-a      the key authenticates nothing from the next request on
            #   scripts/cortex-key.sh list                      names, scopes and policies (never keys or hashes)
            #   printf %s "$KEY" | scripts/cortex-key.sh hash   the sha256 of a key made elsewhere, for an entry by hand
            # The commands rewrite this file: comments other than this header are not kept.
            #
            # An entry (name and sha256 are required, the rest optional):
            #   name        1 to 64 letters, digits, '.', '_', '-'; unique; shown in logs and metrics instead of the key
            #   sha256      the SHA-256 of the key, 64 hex digits
            #   created     when it was made (informational), e.g. 2026-12-03T09:30:00Z
            #   admin       true: operator scope too (restore, detailed health, /api/route, /metrics); default false
            #   providers   the providers it may use, e.g. [groq, ollama]; absent or empty: all of them
            #   models      the models it may use, as patterns: model, provider/model, "provider/*" or "*";
            #               absent: the configured model lists of the providers it may use
            #   max-tokens  the largest max_tokens a request may ask for (also applied when a request sets none)
            #   strategy    the strategy for requests that name none: hybrid, cloud_first, local_first, speed_first,
            #               cost_first
            #   local-only  true: its requests never leave this machine (local providers only); default false
            #   requests-per-minute, tokens-per-minute   limits per minute (tokens: input plus output); over one, a
            #               request gets 429 with Retry-After; absent: cortex.limits.default-* in the settings, if any
            #   budget-per-day, budget-per-month   US dollars per UTC day / month, from the price table; over one, a
            #               request that would cost money gets 429 budget_exceeded (local models cost nothing)
            #   revoked     true: it authenticates nothing; the entry stays so its name stays taken; default false
            """;

    private KeyFileRenderer() {}

    static String render(List<GatewayKey> keys) {
        StringBuilder out = new StringBuilder(HEADER);
        if (keys.isEmpty()) {
            return out.append("keys: []\n").toString();
        }
        out.append("keys:\n");
        for (GatewayKey key : keys) {
            AccessPolicy policy = key.policy();
            out.append("  - ")
                    .append(NAME)
                    .append(": ")
                    .append(scalar(key.name()))
                    .append('\n');
            field(out, SHA256, scalar(key.sha256().hex()));
            if (key.created() != null) {
                field(out, CREATED, key.created().toString()); // ISO-8601 with 'Z': plain in block context
            }
            if (key.admin()) {
                field(out, ADMIN, "true");
            }
            if (!policy.providers().isEmpty()) {
                // sorted: a set has no order of its own, and the same keys should always give the same file
                field(out, PROVIDERS, list(policy.providers().stream().sorted().toList()));
            }
            if (!policy.models().isEmpty()) {
                field(out, MODELS, list(policy.models()));
            }
            if (policy.maxTokens() != null) {
                field(out, MAX_TOKENS, policy.maxTokens().toString());
            }
            if (policy.strategy() != null) {
                field(out, STRATEGY, policy.strategy().wireName());
            }
            if (policy.localOnly()) {
                field(out, LOCAL_ONLY, "true");
            }
            KeyLimits limits = policy.limits();
            if (limits.requestsPerMinute() != KeyLimits.NONE) {
                field(out, REQUESTS_PER_MINUTE, Long.toString(limits.requestsPerMinute()));
            }
            if (limits.tokensPerMinute() != KeyLimits.NONE) {
                field(out, TOKENS_PER_MINUTE, Long.toString(limits.tokensPerMinute()));
            }
            if (limits.dayBudgetMicros() != KeyLimits.NONE) {
                field(out, BUDGET_PER_DAY, KeyLimits.dollars(limits.dayBudgetMicros()));
            }
            if (limits.monthBudgetMicros() != KeyLimits.NONE) {
                field(out, BUDGET_PER_MONTH, KeyLimits.dollars(limits.monthBudgetMicros()));
            }
            if (key.revoked()) {
                field(out, REVOKED, "true");
            }
        }
        return out.toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append("    ").append(name).append(": ").append(value).append('\n');
    }

    private static String list(List<String> items) {
        return items.stream().map(KeyFileRenderer::scalar).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Plain when that reads back as the same text, else double-quoted. */
    static String scalar(String text) {
        boolean plain = PLAIN.matcher(text).matches()
                && !CoreScalarResolver.BOOL.matcher(text).matches()
                && !CoreScalarResolver.INT.matcher(text).matches()
                && !CoreScalarResolver.FLOAT.matcher(text).matches()
                && !CoreScalarResolver.NULL.matcher(text).matches();
        return plain ? text : quoted(text);
    }

    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }
}
