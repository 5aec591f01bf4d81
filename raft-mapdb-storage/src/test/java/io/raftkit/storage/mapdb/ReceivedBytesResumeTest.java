package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
import io.raftkit.api.spi.SnapshotStore.SnapshotReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An opaque (bytes) snapshot's framing is checked as its chunks arrive ({@link BytesStreamCheck}); a
 * duplicate chunk, a chunk after a lost one and the resend from the receiver's offset must leave
 * that check seeing each byte once, in order, so the transfer still installs. The store contract's
 * resume case uses a records snapshot, whose framing is checked only in install().
 */
class ReceivedBytesResumeTest {

    @TempDir
    Path dir;
    private MapDbSnapshotStore leader;
    private MapDbSnapshotStore follower;

    @AfterEach
    void close() throws IOException {
        for (MapDbSnapshotStore s : new MapDbSnapshotStore[] {leader, follower}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private MapDbSnapshotStore open(String name) throws IOException {
        return MapDbSnapshotStore.open(new SnapshotEnvironment(new CountingDisk(new AtomicLong()), true), dir.resolve(name), "c",
                SnapshotSettings.DEFAULTS);
    }

    @Test
    void aBytesTransferWithADuplicateAndALostChunkResumesFromTheReceiversOffsetAndInstalls() throws Exception {
        byte[] content = new byte[300_000]; // several 64 KiB pieces, so chunks cut pieces and their lengths
        new Random(16).nextBytes(content);
        leader = open("leader");
        SnapshotMeta meta;
        try (SnapshotBuilder b = leader.create(5, 1, ClusterConfig.ofVoters("n1"), SnapshotKind.BYTES)) {
            b.write(content, 0, content.length);
            meta = b.commit();
        }
        byte[] stream;
        try (InputStream in = leader.openStream(meta.id())) {
            stream = in.readAllBytes();
        }
        follower = open("follower");
        int chunk = 70_001;
        try (SnapshotReceiver r = follower.receive(meta)) {
            assertThat(r.write(0, Arrays.copyOfRange(stream, 0, chunk))).isTrue();
            assertThat(r.write(0, Arrays.copyOfRange(stream, 0, chunk))).as("a duplicate").isFalse();
            assertThat(r.write(2L * chunk, Arrays.copyOfRange(stream, 2 * chunk, 3 * chunk))).as("after a lost chunk").isFalse();
            for (long at = r.nextOffset(); at < stream.length; at = r.nextOffset()) {
                int end = (int) Math.min(stream.length, at + chunk);
                assertThat(r.write(at, Arrays.copyOfRange(stream, (int) at, end))).isTrue();
            }
            assertThat(r.install()).isEqualTo(meta);
        }
        try (SnapshotReader reader = follower.read(meta.id())) {
            assertThat(reader.bytes().readAllBytes()).isEqualTo(content);
        }
    }
}
