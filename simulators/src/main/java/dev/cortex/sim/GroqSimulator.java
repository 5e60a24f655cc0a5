package dev.cortex.sim;

/** Groq's OpenAI-compatible API under {@code /openai/v1}, as {@link GroqWire} speaks it. */
public final class GroqSimulator extends ProviderSimulator {

    public GroqSimulator() {
        super(new GroqWire());
    }
}
