package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.cortex.failure.FailureClass;

import static org.assertj.core.api.Assertions.assertThat;

class RecentFailuresTest {

    private Instant now = Instant.parse("2026-01-01T10:00:30Z");
    private final RecentFailures failures = new RecentFailures(new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    @Test
    void countsByClassWithinTheWindowAndForgetsOlderMinutes() {
        failures.record(FailureClass.RATE_LIMITED);
        now = now.plus(Duration.ofMinutes(2));
        failures.record(FailureClass.RATE_LIMITED);
        failures.record(FailureClass.UPSTREAM_FAILED);
        assertThat(failures.counts()).isEqualTo(Map.of(FailureClass.RATE_LIMITED, 2, FailureClass.UPSTREAM_FAILED, 1));

        now = now.plus(Duration.ofMinutes(4)); // the first minute has left the window, the third has not
        assertThat(failures.counts()).isEqualTo(Map.of(FailureClass.RATE_LIMITED, 1, FailureClass.UPSTREAM_FAILED, 1));

        now = now.plus(RecentFailures.WINDOW);
        assertThat(failures.counts()).isEmpty();
    }

    @Test
    void aMinuteReusedAfterTheWindowStartsFromNothing() {
        failures.record(FailureClass.QUOTA_EXHAUSTED);
        now = now.plus(RecentFailures.WINDOW); // the same slot of the ring, a new minute
        failures.record(FailureClass.INVALID_KEY);
        assertThat(failures.counts()).isEqualTo(Map.of(FailureClass.INVALID_KEY, 1));
    }
}
