package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart needs one valid snapshot: opening checks the newest snapshot's files and reads an
 * older one's only when every newer one failed its check. Checking every kept snapshot read the
 * whole state twice at each restart (issue 16's restart with 1 M keys).
 */
class OpenChecksNewestFirstTest {

    private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1");

    @TempDir
    Path dir;
    private final AtomicLong bytesRead = new AtomicLong();

    private MapDbSnapshotStore open() throws IOException {
        return MapDbSnapshotStore.open(new SnapshotEnvironment(new CountingDisk(bytesRead), true), dir, "c", SnapshotSettings.DEFAULTS);
    }

    private static SnapshotMeta commit(MapDbSnapshotStore store, long index) throws IOException {
        Random random = new Random(index);
        try (SnapshotBuilder b = store.create(index, 1, CONFIG, SnapshotKind.RECORDS)) {
            for (int i = 0; i < 5000; i++) {
                byte[] value = new byte[100];
                random.nextBytes(value);
                b.put(String.format("k%06d", i).getBytes(), value);
            }
            return b.commit();
        }
    }

    private long dataBytes(SnapshotMeta meta) throws IOException {
        Path snapshots = dir.resolve(MapDbSnapshotStore.DIRECTORY);
        return Files.size(snapshots.resolve(StoredSnapshot.PREFIX + meta.id() + StoredSnapshot.TABLE))
                + Files.size(snapshots.resolve(StoredSnapshot.PREFIX + meta.id() + StoredSnapshot.VALUES));
    }

    @Test
    void openingReadsOnlyTheNewestSnapshotsFilesWhenItChecksOut() throws Exception {
        SnapshotMeta previous;
        SnapshotMeta newest;
        try (MapDbSnapshotStore store = open()) {
            previous = commit(store, 10);
            newest = commit(store, 20);
        }
        bytesRead.set(0);
        try (MapDbSnapshotStore store = open()) {
            assertThat(store.latest()).contains(newest);
            assertThat(store.list()).containsExactly(newest, previous);
        }
        assertThat(bytesRead.get()).as("bytes read to open: the newest's data files are %,d, the previous one's %,d",
                dataBytes(newest), dataBytes(previous)).isLessThan(dataBytes(newest) + 16 * 1024);
    }

    @Test
    void aDamagedNewestSnapshotStillFallsBackToAPreviousOneThatIsCheckedThen() throws Exception {
        SnapshotMeta previous;
        SnapshotMeta newest;
        try (MapDbSnapshotStore store = open()) {
            previous = commit(store, 10);
            newest = commit(store, 20);
        }
        Path table = dir.resolve(MapDbSnapshotStore.DIRECTORY).resolve(StoredSnapshot.PREFIX + newest.id() + StoredSnapshot.TABLE);
        try (RandomAccessFile f = new RandomAccessFile(table.toFile(), "rw")) {
            f.seek(3000);
            int b = f.read();
            f.seek(3000);
            f.write(b ^ 0xff);
        }
        bytesRead.set(0);
        try (MapDbSnapshotStore store = open()) {
            assertThat(store.latest()).contains(previous);
            assertThat(store.list()).containsExactly(previous);
        }
        assertThat(bytesRead.get()).as("both snapshots' files were read").isGreaterThanOrEqualTo(dataBytes(newest) + dataBytes(previous));
    }
}
