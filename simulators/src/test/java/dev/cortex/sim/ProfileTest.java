package dev.cortex.sim;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileTest {

    @Test
    void aProfileSilentAfterItsFirstRequestsAnswersThoseAndThenSaysNothing() {
        var entry = Profile.parse("bench-silent:50:0:8:silence-after:2");
        assertThat(entry.getKey()).isEqualTo("bench-silent");
        Profile profile = entry.getValue();
        assertThat(profile.firstTokenDelay()).isEqualTo(Duration.ofMillis(50));
        assertThat(profile.fault()).isEqualTo(new Fault.SilenceAfter(2));

        Knobs knobs = new Knobs();
        knobs.reset(List.of());
        assertThat(knobs.profileFault("bench-silent", profile.fault()))
                .as("first")
                .isNull();
        assertThat(knobs.profileFault("other-model", profile.fault()))
                .as("counted per model")
                .isNull();
        assertThat(knobs.profileFault("bench-silent", profile.fault()))
                .as("second")
                .isNull();
        assertThat(knobs.profileFault("bench-silent", profile.fault())).isInstanceOf(Fault.Silence.class);
        assertThat(knobs.profileFault("bench-silent", profile.fault())).isInstanceOf(Fault.Silence.class);

        knobs.reset(List.of());
        assertThat(knobs.profileFault("bench-silent", profile.fault()))
                .as("a reset starts the count again")
                .isNull();
    }
}
