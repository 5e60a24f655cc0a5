package dev.cortex.provider;

/**
 * A moving average of one provider's time to first token, from live traffic and probes: recent samples weigh most,
 * so a provider that slows down is noticed within a few requests.
 */
public final class Latency {

    private static final double WEIGHT = 0.2; // each new sample's share of the average

    private double averageMillis = Double.NaN;
    private long lastMillis = -1;
    private long samples;

    /** A probe's time counts only while live traffic has not measured the provider yet. */
    public synchronized void recordProbe(long millis) {
        if (samples == 0) {
            averageMillis = millis;
        }
    }

    public synchronized void record(long millis) {
        averageMillis = Double.isNaN(averageMillis) ? millis : averageMillis + WEIGHT * (millis - averageMillis);
        lastMillis = millis;
        samples++;
    }

    /** NaN until the first sample. */
    public synchronized double averageMillis() {
        return averageMillis;
    }

    public synchronized long lastMillis() {
        return lastMillis;
    }
}
