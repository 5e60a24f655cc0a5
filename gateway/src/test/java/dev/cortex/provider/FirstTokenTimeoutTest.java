package dev.cortex.provider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FirstTokenTimeoutTest {

    private static final Duration CEILING = Duration.ofSeconds(20);
    private static final String MODEL = "llama-3.1-8b-instant";

    /** p99 times 3, between 1 s and the 20 s ceiling, after 10 samples, over the last 100. */
    private static FirstTokenTimeout.Settings settings() {
        return new FirstTokenTimeout.Settings(true, 99, 3, Duration.ofSeconds(1), 10, 100);
    }

    private final List<String> tracked = new ArrayList<>();
    private final FirstTokenTimeout clock =
            new FirstTokenTimeout(CEILING, settings(), (model, clock) -> tracked.add(model));

    private void answer(int times, long millis) {
        for (int i = 0; i < times; i++) {
            clock.answered(MODEL, millis);
        }
    }

    @Test
    void theConfiguredClockHoldsUntilThereAreSamplesEnough() {
        assertThat(clock.current(MODEL)).isEqualTo(CEILING);
        answer(9, 500);
        assertThat(clock.current(MODEL)).as("9 of 10 samples").isEqualTo(CEILING);
        answer(1, 500);
        assertThat(clock.current(MODEL)).as("p99 500 ms x 3").isEqualTo(Duration.ofMillis(1_500));
        assertThat(clock.current("another-model")).as("each model on its own").isEqualTo(CEILING);
    }

    @Test
    void theClockIsAHighPercentileOfTheWindowTimesTheFactor() {
        answer(98, 400);
        answer(2, 900); // the two slowest of a hundred: p99 by nearest rank is the 99th, 900 ms
        assertThat(clock.current(MODEL)).isEqualTo(Duration.ofMillis(2_700));
        assertThat(clock.snapshot()).containsEntry(MODEL, new FirstTokenTimeout.View(2_700, 100));

        answer(100, 400); // the window slides: the slow ones are gone
        assertThat(clock.current(MODEL)).isEqualTo(Duration.ofMillis(1_200));
        assertThat(tracked).as("one gauge per model").containsExactly(MODEL);
    }

    @Test
    void theClockIsClampedToTheFloorAndTheCeiling() {
        answer(10, 20);
        assertThat(clock.current(MODEL)).as("60 ms is under the floor").isEqualTo(Duration.ofSeconds(1));
        answer(100, 9_000);
        assertThat(clock.current(MODEL)).as("27 s is over the ceiling").isEqualTo(CEILING);
    }

    @Test
    void aTimeoutIsNoSampleAndLengthensTheNextClockUntilAFirstTokenArrives() {
        answer(10, 500);
        Duration shortened = clock.current(MODEL);
        assertThat(shortened).isEqualTo(Duration.ofMillis(1_500));

        clock.timedOut(MODEL, shortened);
        clock.timedOut(MODEL, shortened); // a second call that started with the same clock: counted once
        assertThat(clock.current(MODEL)).isEqualTo(Duration.ofMillis(3_000));
        assertThat(clock.snapshot().get(MODEL).samples())
                .as("timeouts are not samples")
                .isEqualTo(10);
        clock.timedOut(MODEL, Duration.ofMillis(3_000));
        clock.timedOut(MODEL, Duration.ofMillis(6_000));
        clock.timedOut(MODEL, Duration.ofMillis(12_000));
        assertThat(clock.current(MODEL)).as("never past the ceiling").isEqualTo(CEILING);

        clock.answered(MODEL, 2_000); // the provider answers, slower than before
        assertThat(clock.current(MODEL))
                .as("back to the percentile, the slow answer in the window")
                .isEqualTo(Duration.ofMillis(6_000));
    }

    @Test
    void aTimeoutUnderTheConfiguredClockChangesNothing() {
        answer(5, 500);
        clock.timedOut(MODEL, CEILING);
        answer(5, 500);
        assertThat(clock.current(MODEL)).isEqualTo(Duration.ofMillis(1_500));
    }

    @Test
    void aProviderThatOptedOutKeepsItsConfiguredClock() {
        FirstTokenTimeout off =
                new FirstTokenTimeout(CEILING, FirstTokenTimeout.Settings.OFF, (model, clock) -> tracked.add(model));
        for (int i = 0; i < 50; i++) {
            off.answered(MODEL, 100);
        }
        assertThat(off.current(MODEL)).isEqualTo(CEILING);
        assertThat(off.adaptive()).isFalse();
        assertThat(off.snapshot()).isEmpty();
        assertThat(tracked).isEmpty();
    }

    @Test
    void modelsTrackedAreBounded() {
        for (int i = 0; i < FirstTokenTimeout.MAX_MODELS + 10; i++) {
            clock.answered("model-" + i, 100);
        }
        assertThat(clock.snapshot()).hasSize(FirstTokenTimeout.MAX_MODELS);
        assertThat(clock.current("model-" + (FirstTokenTimeout.MAX_MODELS + 5))).isEqualTo(CEILING);
    }

    @Test
    void settingsThatCannotWorkAreRefusedByName() {
        assertThatThrownBy(() -> new FirstTokenTimeout.Settings(true, 99, 3, Duration.ZERO, 50, 20))
                .hasMessageContaining("cortex.timeouts.adaptive.window");
        assertThatThrownBy(() -> new FirstTokenTimeout.Settings(true, 0, 3, Duration.ZERO, 5, 20))
                .hasMessageContaining("cortex.timeouts.adaptive.percentile");
        assertThatThrownBy(() -> new FirstTokenTimeout.Settings(true, 99, 0.5, Duration.ZERO, 5, 20))
                .hasMessageContaining("cortex.timeouts.adaptive.factor");
    }
}
