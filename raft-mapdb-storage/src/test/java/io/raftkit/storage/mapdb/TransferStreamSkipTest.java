package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
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
 * A leader resending an opaque snapshot from an offset (after a stalled transfer) reopens its
 * transfer stream and skips to the offset. The skip must seek, not read and checksum every byte
 * before it: a 500 MB transfer that rewound a few times read the file from its start each time
 * (InstallSnapshotSpeed, 2026-12-05: the leader's transfer thread busy in InputStream.skip).
 */
class TransferStreamSkipTest {

    private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1");

    @TempDir
    Path dir;
    private MapDbSnapshotStore store;

    @AfterEach
    void close() throws IOException {
        if (store != null) {
            store.close();
        }
    }

    /** Bytes read from the disk's files since the store opened. */
    private final AtomicLong bytesRead = new AtomicLong();

    private SnapshotMeta opaque(byte[] content) throws IOException {
        store = MapDbSnapshotStore.open(new SnapshotEnvironment(new CountingDisk(bytesRead), true), dir, "c",
                SnapshotSettings.DEFAULTS);
        try (SnapshotBuilder b = store.create(5, 1, CONFIG, SnapshotKind.BYTES)) {
            b.write(content, 0, content.length);
            return b.commit();
        }
    }

    private static byte[] random(int size) {
        byte[] content = new byte[size];
        new Random(7).nextBytes(content);
        return content;
    }

    @Test
    void skippingIntoAnOpaqueSnapshotsTransferStreamReadsOnlyTheBytesAfterTheSkip() throws Exception {
        opaque(random(3_000_000));
        byte[] whole;
        try (InputStream in = store.openStream(store.latest().orElseThrow().id())) {
            whole = in.readAllBytes();
        }
        bytesRead.set(0);
        try (InputStream in = store.openStream(store.latest().orElseThrow().id())) {
            in.skipNBytes(2_000_001);
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(whole, 2_000_001, whole.length));
        }
        assertThat(bytesRead.get()).as("bytes read from the disk to skip 2,000,001 and read the other 999,999 (+ a buffer)")
                .isLessThanOrEqualTo(whole.length - 2_000_001 + 256 * 1024);
    }

    @Test
    void aSkipPastTheEndStopsAtTheEnd() throws Exception {
        opaque(random(100_000));
        try (InputStream in = store.openStream(store.latest().orElseThrow().id())) {
            long size = store.latest().orElseThrow().sizeBytes();
            assertThat(in.skip(size + 10)).isEqualTo(size);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aStreamReadFromTheStartStillCatchesBytesChangedOnDiskAfterASkippedOneWasOpened() throws Exception {
        SnapshotMeta meta = opaque(random(1_000_000));
        Path file = dir.resolve(MapDbSnapshotStore.DIRECTORY).resolve(StoredSnapshot.PREFIX + meta.id() + StoredSnapshot.STREAM);
        try (InputStream skipped = store.openStream(meta.id())) {
            skipped.skipNBytes(500_000);
            flipByte(file, 100);
            // The bytes before the skip were not read here: the receiver's checksum over the whole
            // transfer is what catches the change, and the next pass from the start catches it here.
            skipped.readAllBytes();
        }
        try (InputStream in = store.openStream(meta.id())) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("does not match");
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xff);
        }
    }
}
