package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The meta file keeps a snapshot's whole configuration, and still reads the format before it. */
class SnapshotMetaFileTest {

    private static final Path FILE = Path.of("snapshot-x.meta");
    private static final List<SnapshotMetaFile.DataFile> FILES = List.of(new SnapshotMetaFile.DataFile("snapshot-x.table", 10, 7));

    @Test
    void aJointConfigurationWithAddressesRoundTrips() throws Exception {
        ClusterConfig joint = new ClusterConfig(Set.of(NodeId.of("a"), NodeId.of("d")), Set.of(NodeId.of("e")),
                Set.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c")), Map.of(NodeId.of("d"), "10.0.0.4:7000"));
        SnapshotMeta meta = new SnapshotMeta("9-2-00000001", 9, 2, joint, SnapshotKind.RECORDS, 100, 1);
        SnapshotMetaFile.Contents back = SnapshotMetaFile.decode(FILE,
                SnapshotMetaFile.encode(new SnapshotMetaFile.Contents("c1", meta, FILES)));
        assertThat(back.meta()).isEqualTo(meta);
        assertThat(back.meta().config().votersOutgoing()).containsExactly(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
        assertThat(back.files()).isEqualTo(FILES);
    }

    @Test
    void aVersionOneFileOfVotersAndLearnersIsStillRead() throws Exception {
        SnapshotMetaFile.Contents back = SnapshotMetaFile.decode(FILE, versionOne());
        assertThat(back.meta().config()).isEqualTo(new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2")), Set.of(NodeId.of("l1"))));
        assertThat(back.meta().lastIncludedIndex()).isEqualTo(9);
        assertThat(back.files()).isEqualTo(FILES);
    }

    @Test
    void aConfigurationLengthPastTheEndIsDamageNamingTheFile() {
        SnapshotMeta meta = new SnapshotMeta("9-2-00000001", 9, 2, ClusterConfig.ofVoters("a"), SnapshotKind.RECORDS, 100, 1);
        byte[] raw = SnapshotMetaFile.encode(new SnapshotMetaFile.Contents("c1", meta, FILES));
        int at = 8 + 4 + (4 + 2) + (4 + meta.id().length()) + 8 + 8 + 1 + 8 + 8;
        java.nio.ByteBuffer.wrap(raw).putInt(at, 1 << 20);
        resealed(raw);
        assertThatThrownBy(() -> SnapshotMetaFile.decode(FILE, raw)).isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("snapshot-x.meta").hasMessageContaining("configuration");
    }

    /** The layout written up to format 1: voters and learners as counted strings. */
    private static byte[] versionOne() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(0x524B_534E_4150_4D46L);
        out.writeInt(1);
        string(out, "c1");
        string(out, "9-2-00000001");
        out.writeLong(9);
        out.writeLong(2);
        out.writeByte(SnapshotKind.RECORDS.code());
        out.writeLong(100);
        out.writeLong(1);
        out.writeInt(2);
        string(out, "n1");
        string(out, "n2");
        out.writeInt(1);
        string(out, "l1");
        out.writeInt(1);
        string(out, "snapshot-x.table");
        out.writeLong(10);
        out.writeLong(7);
        out.flush();
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws Exception {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void resealed(byte[] raw) {
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, raw.length - 4);
        java.nio.ByteBuffer.wrap(raw).putInt(raw.length - 4, (int) crc.getValue());
    }
}
