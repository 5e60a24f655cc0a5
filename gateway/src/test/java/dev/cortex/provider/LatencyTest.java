package dev.cortex.provider;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyTest {

    @Test
    void keepsTheLastLiveSamplesOldestFirstAndNoMore() {
        Latency latency = new Latency();
        latency.recordProbe(999); // a probe's time is no live sample
        assertThat(latency.recentMillis()).isEmpty();
        for (long ms = 1; ms <= Latency.RECENT + 5; ms++) {
            latency.record(ms);
        }
        long[] recent = latency.recentMillis();
        assertThat(recent).hasSize(Latency.RECENT);
        assertThat(recent[0]).isEqualTo(6);
        assertThat(recent[Latency.RECENT - 1]).isEqualTo(Latency.RECENT + 5);
    }
}
