package dev.cortex.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cortex.chat.AttemptTrail;
import dev.cortex.failure.FailureClass;

import static org.assertj.core.api.Assertions.assertThat;

class KeyPoolTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

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
    }

    @Test
    void roundRobinSkipsCoolingKeysAndRecoversAfterTheHint() {
        ManualClock clock = new ManualClock();
        KeyPool pool = new KeyPool("groq", List.of("gsk_a", "gsk_b", " ", "gsk_a"), clock);
        assertThat(pool.counts()).isEqualTo(new KeyPool.Counts(2, 0, 0));
        pool.coolDown("gsk_a", Duration.ofSeconds(10));
        assertThat(pool.acquire()).contains("gsk_b");
        assertThat(pool.acquire()).contains("gsk_b");
        pool.coolDown("gsk_b", Duration.ofSeconds(5));
        assertThat(pool.acquire()).isEmpty();
        assertThat(pool.earliestRecovery()).contains(clock.now.plusSeconds(5));
        clock.now = clock.now.plusSeconds(6);
        assertThat(pool.acquire()).contains("gsk_b");
        assertThat(pool.earliestRecovery()).isEmpty();
    }

    @Test
    void aDroppedKeyNeverComesBack() {
        ManualClock clock = new ManualClock();
        KeyPool pool = new KeyPool("cohere", List.of("k1"), clock);
        pool.drop("k1");
        clock.now = clock.now.plus(Duration.ofDays(2));
        assertThat(pool.acquire()).isEmpty();
        assertThat(pool.earliestRecovery()).isEmpty();
        assertThat(pool.counts()).isEqualTo(new KeyPool.Counts(0, 0, 1));
    }

    @Test
    void masksKeysForLogs() {
        assertThat(ApiKeys.mask("gsk_test_abcdefgh_9f2c")).isEqualTo("gsk_…9f2c");
        assertThat(ApiKeys.mask("AIzaSyA1234567890abcdefXYZW")).isEqualTo("AIza…XYZW");
        assertThat(ApiKeys.scrub("Incorrect API key provided: gsk_test_abcdefgh_9f2c."))
                .doesNotContain("test_abcdefgh")
                .contains("gsk_…9f2c");
        // Cortex's own gateway keys (base64url, so with - and _ inside)
        String gatewayKey = "ck_JdNAIjGcvISK00Mn-wuag6JRaouDJRAu7Yv3Pl6WDsk";
        assertThat(ApiKeys.mask(gatewayKey)).isEqualTo("ck_…WDsk");
        assertThat(ApiKeys.scrub("Bearer " + gatewayKey + " refused")).isEqualTo("Bearer ck_…WDsk refused");
        assertThat(ApiKeys.scrub("see stack_trace_elements")).isEqualTo("see stack_trace_elements");
    }

    @Test
    void trailHeaderLeavesOutDisabledProvidersAndClosesRejectedEntries() {
        AttemptTrail trail = new AttemptTrail();
        trail.enter("groq");
        trail.record("groq", "429", FailureClass.RATE_LIMITED);
        trail.skip("gemini", "disabled");
        trail.enter("cohere"); // turned away by its breaker: no outcome from a call
        trail.enter("ollama");
        trail.record("ollama", "ok", null);
        assertThat(trail.toString()).isEqualTo("groq:429,cohere:rejected,ollama:ok");
    }
}
