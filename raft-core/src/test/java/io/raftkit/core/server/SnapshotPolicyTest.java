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
    void zeroTurnsATriggerOffAndManualOnlyIsNeverDue() {
        assertThat(new SnapshotPolicy(0, 1_000, 0, 1).due(Long.MAX_VALUE, 999)).isFalse();
        assertThat(SnapshotPolicy.manualOnly().due(Long.MAX_VALUE, Long.MAX_VALUE)).isFalse();
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new SnapshotPolicy(-1, 0, 0, 1)).hasMessageContaining("entriesBetween");
        assertThatThrownBy(() -> new SnapshotPolicy(0, 0, -1, 1)).hasMessageContaining("keptEntries");
        assertThatThrownBy(() -> new SnapshotPolicy(0, 0, 0, 0)).hasMessageContaining("chunkBytes");
        assertThatThrownBy(() -> SnapshotPolicy.DEFAULT.withChunkBytes(SnapshotPolicy.MAX_CHUNK_BYTES + 1))
                .hasMessageContaining("chunkBytes").hasMessageContaining("8 MiB");
    }
}
