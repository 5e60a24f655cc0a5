package dev.cortex.sim;

import java.time.Duration;

/** A failure a simulator plays back, in its provider's own wire format. */
public sealed interface Fault {

    /** The provider's error response for this status (before any byte of a body). */
    record Status(int code) implements Fault {}

    /** A 429 with the provider's way of saying how long to wait. */
    record RateLimited(Duration retryAfter) implements Fault {}

    /** A quota that does not refill soon (per day, or a trial's monthly cap). */
    record QuotaExhausted() implements Fault {}

    record InvalidKey() implements Fault {}

    record ModelNotFound() implements Fault {}

    /** Accepts the request, sends nothing at all. */
    record Silence() implements Fault {}

    /**
     * As a profile's fault: the profile's first {@code calls} requests are answered, every later one meets
     * {@link Silence}. A provider whose first tokens were measured normal and that then goes quiet, under one model
     * name (a gateway learns per model).
     */
    record SilenceAfter(int calls) implements Fault {}

    /**
     * As a profile's fault: every {@code every}-th request to the profile's model (calls N, 2N, 3N, ... counted per
     * model, so a run is repeatable) waits {@code delay} more before its first token, and every other is answered as
     * usual. A provider with a heavy latency tail, for measuring what hedged requests win against it. Spelled
     * {@code slow-every:N:MS}.
     */
    record SlowEvery(int every, Duration delay) implements Fault {
        public SlowEvery {
            if (every < 1 || delay.isNegative()) {
                throw new IllegalArgumentException(
                        "slow-every:N:MS needs N >= 1 and MS >= 0, not " + every + ":" + delay.toMillis());
            }
        }
    }

    /**
     * Answers as usual, only {@code delay} later before the first token (on top of the pacing's own first-token
     * delay): what one slow call of {@link SlowEvery} meets. The answer itself is untouched, so it holds for every
     * wire, streamed or not.
     */
    record SlowFirstToken(Duration delay) implements Fault {}

    /** Streams {@code chunks} content chunks, then nothing more, keeping the connection open. */
    record StallAfter(int chunks) implements Fault {}

    /** Streams {@code chunks} content chunks, then drops the connection without the end marker. */
    record CutAfter(int chunks) implements Fault {}

    /** Streams {@code chunks} content chunks, then the provider's in-stream error. */
    record ErrorEventAfter(int chunks) implements Fault {}

    /** Streams {@code chunks} content chunks, then one chunk that is not valid JSON, then carries on. */
    record MalformedChunkAfter(int chunks) implements Fault {}

    /** An answer with no text at all (Gemini: a safety block; others: an empty completion). */
    record EmptyAnswer(String finishReason) implements Fault {}

    static Fault status(int code) {
        return new Status(code);
    }

    static Fault rateLimited(Duration retryAfter) {
        return new RateLimited(retryAfter);
    }

    static Fault quotaExhaustedForDay() {
        return new QuotaExhausted();
    }

    static Fault invalidKey() {
        return new InvalidKey();
    }

    static Fault modelNotFound() {
        return new ModelNotFound();
    }

    static Fault silence() {
        return new Silence();
    }

    static Fault stallAfter(int chunks) {
        return new StallAfter(chunks);
    }

    static Fault cutAfter(int chunks) {
        return new CutAfter(chunks);
    }

    static Fault errorEventAfter(int chunks) {
        return new ErrorEventAfter(chunks);
    }

    static Fault malformedChunkAfter(int chunks) {
        return new MalformedChunkAfter(chunks);
    }

    static Fault emptyAnswer(String finishReason) {
        return new EmptyAnswer(finishReason);
    }

    /** {@code N:MS}, both required: the one fault whose argument is two numbers. */
    private static Fault slowEvery(String arg) {
        String[] n = arg == null ? new String[0] : arg.split(":");
        if (n.length != 2) {
            throw new IllegalArgumentException("slow-every needs N:MS (every N-th call, MS more), not " + arg);
        }
        return new SlowEvery(Integer.parseInt(n[0].trim()), Duration.ofMillis(Long.parseLong(n[1].trim())));
    }

    /**
     * Parses the names the simulator CLI and the {@code X-Sim-Fault} header use: {@code 429:30}, {@code 503},
     * {@code cut:3}, {@code slow-every:5:1000}, ...
     */
    static Fault parse(String spec) {
        String[] p = spec.trim().split(":", 2);
        String arg = p.length > 1 ? p[1] : null;
        return switch (p[0]) {
            case "429" -> rateLimited(Duration.ofSeconds(arg == null ? 30 : Long.parseLong(arg)));
            case "quota" -> quotaExhaustedForDay();
            case "invalid_key" -> invalidKey();
            case "model_not_found" -> modelNotFound();
            case "silence" -> silence();
            case "silence-after" -> new SilenceAfter(Integer.parseInt(arg));
            case "slow-every" -> slowEvery(arg);
            case "stall" -> stallAfter(arg == null ? 1 : Integer.parseInt(arg));
            case "cut" -> cutAfter(arg == null ? 1 : Integer.parseInt(arg));
            case "error_event" -> errorEventAfter(arg == null ? 1 : Integer.parseInt(arg));
            case "malformed" -> malformedChunkAfter(arg == null ? 1 : Integer.parseInt(arg));
            case "empty" -> emptyAnswer(arg == null ? "SAFETY" : arg);
            default -> status(Integer.parseInt(p[0]));
        };
    }
}
