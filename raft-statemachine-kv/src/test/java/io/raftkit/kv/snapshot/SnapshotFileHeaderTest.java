package io.raftkit.kv.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A backup file's header keeps the snapshot's whole configuration (issue 17). */
class SnapshotFileHeaderTest {

    private static SnapshotMeta roundTrip(SnapshotMeta meta) throws Exception {
        return SnapshotFile.readHeader(new ByteArrayInputStream(SnapshotFile.header(meta)), "test");
    }

    @Test
    void aJointConfigurationAndRunTimeAddressesSurviveTheHeader() throws Exception {
        ClusterConfig joint = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n4")), Set.of(NodeId.of("n5")),
                Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")),
                Map.of(NodeId.of("n4"), "10.0.0.4:7000", NodeId.of("n5"), "10.0.0.5:7000"));
        SnapshotMeta meta = new SnapshotMeta("7-2-0000000a", 7, 2, joint, SnapshotKind.RECORDS, 10, 10);
        assertThat(roundTrip(meta)).isEqualTo(meta);
    }

    @Test
    void aSimpleConfigurationWritesNeitherNewFieldSoOlderReadersStillReadIt() throws Exception {
        SnapshotMeta meta = new SnapshotMeta("7-2-0000000a", 7, 2, ClusterConfig.ofVoters("n1", "n2", "n3"), SnapshotKind.RECORDS, 10, 10);
        String header = new String(SnapshotFile.header(meta), StandardCharsets.UTF_8);
        assertThat(header).doesNotContain("votersOutgoing").doesNotContain("addresses");
        assertThat(roundTrip(meta)).isEqualTo(meta);
    }
}
