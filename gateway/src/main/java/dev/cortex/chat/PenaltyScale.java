package dev.cortex.chat;

/**
 * OpenAI's {@code frequency_penalty} (-2..2, 0 neutral) and Ollama's {@code repeat_penalty} (0..∞, 1 neutral) are
 * different knobs for the same wish: map them linearly around their neutral points (0 ↔ 1, 2 ↔ 2, -2 ↔ 0).
 */
public final class PenaltyScale {

    private PenaltyScale() {}

    public static double toRepeatPenalty(double frequencyPenalty) {
        return 1.0 + frequencyPenalty / 2.0;
    }

    public static double toFrequencyPenalty(double repeatPenalty) {
        return Math.max(-2.0, Math.min(2.0, (repeatPenalty - 1.0) * 2.0));
    }
}
