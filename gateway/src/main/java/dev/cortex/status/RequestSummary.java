package dev.cortex.status;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cortex.chat.AttemptTrail;
import dev.cortex.chat.ChatContext;
import dev.cortex.chat.Json;
import dev.cortex.chat.Usage;

/**
 * One ended request as the status page lists it: when, through which door, how it was routed and who answered. Never
 * the prompt, the answer or a key: nothing here comes from the request's text.
 *
 * @param strategy        the strategy the caller (or its key) asked for; {@code default} for the configured one
 * @param trail           what each provider did, as the {@code X-Cortex-Attempts} header says it
 * @param provider        the provider that answered; null when none did
 * @param outcome         {@code complete}, {@code broken}, {@code client_gone}, {@code client_too_slow} or the error
 *                        reply's HTTP status
 * @param firstTokenMillis -1 when no token came
 */
public record RequestSummary(
        Instant at,
        String door,
        boolean stream,
        String strategy,
        String trail,
        String provider,
        String outcome,
        long firstTokenMillis,
        int promptTokens,
        int completionTokens) {

    public static RequestSummary of(String door, ChatContext chat) {
        ChatContext.Ending ending = chat.ending();
        Usage usage = ending.usage();
        String provider = null;
        for (AttemptTrail.Entry e : chat.trail().entries()) {
            if ("ok".equals(e.outcome())) {
                provider = e.provider();
            }
        }
        return new RequestSummary(
                Instant.now(),
                door,
                chat.streaming(),
                chat.preference().strategy() == null
                        ? "default"
                        : chat.preference().strategy().wireName(),
                chat.trail().toString(),
                provider,
                ending.outcome(),
                chat.firstTokenMillis(),
                usage.promptTokens(),
                usage.completionTokens());
    }

    public ObjectNode toJson() {
        ObjectNode node = Json.object()
                .put("at", at.toString())
                .put("door", door)
                .put("stream", stream)
                .put("strategy", strategy)
                .put("trail", trail)
                .put("outcome", outcome)
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens);
        if (provider != null) {
            node.put("provider", provider);
        }
        if (firstTokenMillis >= 0) {
            node.put("first_token_ms", firstTokenMillis);
        }
        return node;
    }
}
