package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import dev.cortex.failure.FailureClass;

/**
 * A provider's failures by class over the last few minutes, for the status page (Prometheus keeps the totals). One
 * counter per class and minute in a fixed ring of minutes, so memory does not grow with traffic or uptime.
 */
public final class RecentFailures {

    /** The window the status page shows. */
    public static final Duration WINDOW = Duration.ofMinutes(5);

    private static final int MINUTES = (int) WINDOW.toMinutes();

    private final Clock clock;
    private final long[] minuteOf = new long[MINUTES];
    private final int[][] counts = new int[MINUTES][FailureClass.values().length];

    public RecentFailures(Clock clock) {
        this.clock = clock;
    }

    synchronized void record(FailureClass failure) {
        long minute = minuteNow();
        int slot = (int) (minute % MINUTES);
        if (minuteOf[slot] != minute) {
            minuteOf[slot] = minute;
            Arrays.fill(counts[slot], 0);
        }
        counts[slot][failure.ordinal()]++;
    }

    /** Failures within the window, by class; classes with none are left out. */
    public synchronized Map<FailureClass, Integer> counts() {
        long now = minuteNow();
        Map<FailureClass, Integer> out = new EnumMap<>(FailureClass.class);
        for (int slot = 0; slot < MINUTES; slot++) {
            if (now - minuteOf[slot] >= MINUTES) {
                continue; // an old minute, not yet reused
            }
            for (FailureClass c : FailureClass.values()) {
                int n = counts[slot][c.ordinal()];
                if (n > 0) {
                    out.merge(c, n, Integer::sum);
                }
            }
        }
        return out;
    }

    private long minuteNow() {
        return clock.millis() / 60_000;
    }
}
