package dev.cortex.provider;

/**
 * A moving average of one provider's time to first token, from live traffic and probes: recent samples weigh most,
 * so a provider that slows down is noticed within a few requests. The last few live samples are kept too, for the
 * status page's sparkline: a fixed ring, so memory stays the same however long Cortex runs.
 */
public final class Latency {

    private static final double WEIGHT = 0.2; // each new sample's share of the average

    private double averageMillis = Double.NaN;
    private long lastMillis = -1;
    private long samples;
    private final long[] recent = new long[RECENT];

    /** How many live samples {@link #recentMillis} keeps. */
    static final int RECENT = 30;

    /** A probe's time counts only while live traffic has not measured the provider yet. */
    public synchronized void recordProbe(long millis) {
        if (samples == 0) {
            averageMillis = millis;
        }
    }

    public synchronized void record(long millis) {
        averageMillis = Double.isNaN(averageMillis) ? millis : averageMillis + WEIGHT * (millis - averageMillis);
        lastMillis = millis;
        recent[(int) (samples % RECENT)] = millis;
        samples++;
    }

    /** The last live samples, oldest first (at most {@link #RECENT}). */
    public synchronized long[] recentMillis() {
        int n = (int) Math.min(samples, RECENT);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = recent[(int) ((samples - n + i) % RECENT)];
        }
        return out;
    }

    /** NaN until the first sample. */
    public synchronized double averageMillis() {
        return averageMillis;
    }

    public synchronized long lastMillis() {
        return lastMillis;
    }
}
