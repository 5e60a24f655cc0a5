package dev.cortex.sim;

/** Google's Gemini API under {@code /v1beta}, as {@link GeminiWire} speaks it. */
public final class GeminiSimulator extends ProviderSimulator {

    public GeminiSimulator() {
        super(new GeminiWire());
    }
}
