package dev.cortex.sim;

/** Cohere's v2 chat API, as {@link CohereWire} speaks it. */
public final class CohereSimulator extends ProviderSimulator {

    public CohereSimulator() {
        super(new CohereWire());
    }
}
