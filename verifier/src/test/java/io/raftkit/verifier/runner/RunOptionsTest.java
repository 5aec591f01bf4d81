package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Timing options that would break a run late (or flip faults every step) are refused up front. */
class RunOptionsTest {

    private static RunOptions with(long faultSeconds, long quietSeconds, long recoverySeconds) {
        return new RunOptions(3, Duration.ofSeconds(20), 2, 1, 1000, "register", List.of(), 1, Path.of("out"),
                Duration.ofSeconds(faultSeconds), Duration.ofSeconds(quietSeconds), Duration.ofSeconds(2), PlantedBug.NONE,
                Duration.ofSeconds(recoverySeconds));
    }

    @Test
    void nonPositiveFaultSecondsAndNegativeWaitsAreRefusedNamingTheFlag() {
        with(1, 0, 0); // the smallest accepted
        assertThatThrownBy(() -> with(0, 5, 60)).hasMessage("--fault-seconds must be positive, was 0");
        assertThatThrownBy(() -> with(8, -5, 60)).hasMessage("--quiet-seconds must be 0 or more, was -5");
        assertThatThrownBy(() -> with(8, 5, -7)).hasMessage("--recovery-seconds must be 0 or more, was -7");
    }
}
