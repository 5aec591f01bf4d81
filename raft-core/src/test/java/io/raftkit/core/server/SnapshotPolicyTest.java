package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {

    @Test
    void aSnapshotIsDueByEntriesOrByBytesWhicheverComesFirst() {
        SnapshotPolicy p = new SnapshotPolicy(100, 1_000, 10, 1024);
        assertThat(p.due(99, 999)).isFalse();
        assertThat(p.due(100, 0)).isTrue();
        assertThat(p.due(1, 1_000)).isTrue();
    }

    @Test
    void aCountThatIsDueWaitsUntilTheLogHoldsTheFractionOfTheLastSnapshot() {
        SnapshotPolicy p = new SnapshotPolicy(100, 0, 10, 1024, 0.1);
        assertThat(p.due(100, 9_999, 100_000)).as("counted, but a tenth of 100,000 bytes not reached").isFalse();
        assertThat(p.due(100, 10_000, 100_000)).isTrue();
        assertThat(p.due(99, 1_000_000, 100_000)).as("the fraction alone never triggers").isFalse();
        assertThat(p.due(100, 0, 0)).as("no snapshot yet: the counts alone").isTrue();
        assertThat(p.withMinLogFraction(0).due(100, 0, 100_000)).isTrue();
        assertThat(SnapshotPolicy.DEFAULT.minLogFraction()).isEqualTo(0.1);
        assertThat(new SnapshotPolicy(100, 0, 10, 1024).minLogFraction()).as("the four-field form: counts alone").isZero();
        assertThat(SnapshotPolicy.DEFAULT.withEntriesBetween(5).minLogFraction()).as("kept by the withers").isEqualTo(0.1);
    }

    @Test
    void zeroTurnsATriggerOffAndManualOnlyIsNeverDue() {
        assertThat(new SnapshotPolicy(0, 1_000, 0, 1).due(Long.MAX_VALUE, 999)).isFalse();
        assertThat(SnapshotPolicy.manualOnly().due(Long.MAX_VALUE, Long.MAX_VALUE)).isFalse();
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new SnapshotPolicy(-1, 0, 0, 1)).hasMessageContaining("entriesBetween");
        assertThatThrownBy(() -> new SnapshotPolicy(0, 0, -1, 1)).hasMessageContaining("keptEntries");
        assertThatThrownBy(() -> new SnapshotPolicy(0, 0, 0, 0)).hasMessageContaining("chunkBytes");
        assertThatThrownBy(() -> new SnapshotPolicy(0, 0, 0, 1, -0.5)).hasMessageContaining("minLogFraction");
        assertThatThrownBy(() -> new SnapshotPolicy(0, 0, 0, 1, Double.NaN)).hasMessageContaining("minLogFraction");
        assertThatThrownBy(() -> SnapshotPolicy.DEFAULT.withChunkBytes(SnapshotPolicy.MAX_CHUNK_BYTES + 1))
                .hasMessageContaining("chunkBytes").hasMessageContaining("8 MiB");
    }
}
