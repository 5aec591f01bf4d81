package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
import io.raftkit.api.spi.SnapshotStore.SnapshotReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A received snapshot bigger than {@link WriteBack#RECEIVED_EVERY_BYTES} starts its write-back while chunks
 * still arrive, and a snapshot written here bigger than its write-back step ({@link SnapshotSettings#writeBackMib()}) while its
 * records are written; the install or commit still forces the whole file, and a failed background
 * force fails it (after a failed fsync Linux may report success to the next one) and keeps nothing.
 */
class WriteBackTest {

    private static final int SIZE = (int) WriteBack.RECEIVED_EVERY_BYTES + (8 << 20);

    @TempDir
    Path dir;
    private MapDbSnapshotStore leader;
    private MapDbSnapshotStore follower;
    /** Forces of the files watched (a receive file, or a local snapshot's files), and which one (1-based) fails; 0 for none. */
    private final AtomicInteger watchedForces = new AtomicInteger();
    private volatile int failingForce;

    @AfterEach
    void close() throws IOException {
        for (MapDbSnapshotStore s : new MapDbSnapshotStore[] {leader, follower}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private byte[] stream(SnapshotMeta meta) throws IOException {
        try (InputStream in = leader.openStream(meta.id())) {
            return in.readAllBytes();
        }
    }

    private SnapshotMeta leaderSnapshot(byte[] content) throws IOException {
        leader = MapDbSnapshotStore.open(new SnapshotEnvironment(FileChannelDisk.INSTANCE, true), dir.resolve("leader"), "c",
                SnapshotSettings.DEFAULTS);
        try (SnapshotBuilder b = leader.create(5, 1, ClusterConfig.ofVoters("n1"), SnapshotKind.BYTES)) {
            b.write(content, 0, content.length);
            return b.commit();
        }
    }

    private void receive(SnapshotReceiver r, byte[] stream) throws IOException {
        int chunk = 1 << 20;
        for (int at = 0; at < stream.length; at += chunk) {
            assertThat(r.write(at, Arrays.copyOfRange(stream, at, Math.min(stream.length, at + chunk)))).isTrue();
        }
    }

    @Test
    void aBigTransferStartsItsWriteBackBeforeTheInstallAndInstallsTheSameBytes() throws Exception {
        byte[] content = new byte[SIZE];
        new Random(32).nextBytes(content);
        SnapshotMeta meta = leaderSnapshot(content);
        follower = MapDbSnapshotStore.open(new SnapshotEnvironment(new ForceCountingDisk(MapDbSnapshotStore.RECEIVE_PREFIX), true), dir.resolve("follower"), "c",
                SnapshotSettings.DEFAULTS);
        try (SnapshotReceiver r = follower.receive(meta)) {
            receive(r, stream(meta));
            int before = awaitForces(1);
            assertThat(before).as("a background force ran before install()").isGreaterThanOrEqualTo(1);
            assertThat(r.install()).isEqualTo(meta);
            assertThat(watchedForces.get()).as("install() forces the whole file itself").isGreaterThan(before);
        }
        try (SnapshotReader reader = follower.read(meta.id())) {
            assertThat(reader.bytes().readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void aFailedBackgroundForceFailsTheInstallAndKeepsNothing() throws Exception {
        byte[] content = new byte[SIZE];
        new Random(33).nextBytes(content);
        SnapshotMeta meta = leaderSnapshot(content);
        failingForce = 1;
        follower = MapDbSnapshotStore.open(new SnapshotEnvironment(new ForceCountingDisk(MapDbSnapshotStore.RECEIVE_PREFIX), true), dir.resolve("follower"), "c",
                SnapshotSettings.DEFAULTS);
        try (SnapshotReceiver r = follower.receive(meta)) {
            receive(r, stream(meta));
            assertThat(awaitForces(1)).as("the background force ran (and failed) before install()").isEqualTo(1);
            assertThatThrownBy(r::install).isInstanceOf(IOException.class).hasMessageContaining("injected: force 1 fails");
        }
        assertThat(follower.latest()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SnapshotKind.class)
    void aBigSnapshotWrittenHereStartsItsWriteBackWhileItIsWritten(SnapshotKind kind) throws Exception {
        leader = MapDbSnapshotStore.open(new SnapshotEnvironment(new ForceCountingDisk(MapDbSnapshotStore.BUILD_PREFIX), true),
                dir.resolve("leader"), "c", SnapshotSettings.DEFAULTS);
        int records = writtenRecords();
        byte[] bytes = new byte[(int) (2 * SnapshotSettings.DEFAULTS.writeBackBytes())];
        new Random(34).nextBytes(bytes);
        SnapshotMeta meta;
        try (SnapshotBuilder b = leader.create(5, 1, ClusterConfig.ofVoters("n1"), kind)) {
            if (kind == SnapshotKind.RECORDS) {
                putRecords(b, records);
            } else {
                b.write(bytes, 0, bytes.length);
            }
            int before = awaitForces(1);
            assertThat(before).as("a background force ran before commit()").isGreaterThanOrEqualTo(1);
            meta = b.commit();
            assertThat(watchedForces.get()).as("commit() forces the whole file itself").isGreaterThan(before);
        }
        try (SnapshotReader reader = leader.read(meta.id())) {
            if (kind == SnapshotKind.BYTES) {
                assertThat(reader.bytes().readAllBytes()).isEqualTo(bytes);
                return;
            }
            int read = 0;
            while (reader.nextRecord()) {
                assertThat(reader.key()).isEqualTo(key(read));
                read++;
            }
            assertThat(read).isEqualTo(records);
        }
    }

    @Test
    void withTheWriteBackStepOffASnapshotWrittenHereIsForcedOnlyByItsCommit() throws Exception {
        leader = MapDbSnapshotStore.open(new SnapshotEnvironment(new ForceCountingDisk(MapDbSnapshotStore.BUILD_PREFIX), true),
                dir.resolve("leader"), "c", new SnapshotSettings(2, 0));
        try (SnapshotBuilder b = leader.create(5, 1, ClusterConfig.ofVoters("n1"), SnapshotKind.RECORDS)) {
            putRecords(b, writtenRecords());
            assertThat(watchedForces.get()).as("forces before commit()").isZero();
            b.commit();
            assertThat(watchedForces.get()).as("commit() forces the table and the values file").isEqualTo(2);
        }
    }

    @Test
    void aFailedBackgroundForceOfASnapshotWrittenHereFailsItsCommitAndKeepsNothing() throws Exception {
        failingForce = 1;
        leader = MapDbSnapshotStore.open(new SnapshotEnvironment(new ForceCountingDisk(MapDbSnapshotStore.BUILD_PREFIX), true),
                dir.resolve("leader"), "c", SnapshotSettings.DEFAULTS);
        try (SnapshotBuilder b = leader.create(5, 1, ClusterConfig.ofVoters("n1"), SnapshotKind.RECORDS)) {
            // The failure surfaces at the next write that finds the force done, or at the latest in commit().
            assertThatThrownBy(() -> {
                putRecords(b, writtenRecords());
                b.commit();
            }).isInstanceOf(IOException.class).hasMessageContaining("injected: force 1 fails");
        }
        assertThat(leader.latest()).isEmpty();
    }

    /** Records of 100-byte values enough for a table twice the write-back step. */
    private static int writtenRecords() {
        return (int) (2 * SnapshotSettings.DEFAULTS.writeBackBytes() / 100);
    }

    private static byte[] key(int i) {
        return String.format("key-%09d", i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void putRecords(SnapshotBuilder b, int records) throws IOException {
        byte[] value = new byte[100];
        for (int i = 0; i < records; i++) {
            b.put(key(i), value);
        }
    }

    /** The background force may still be running: wait (bounded) until {@code n} have started. */
    private int awaitForces(int n) throws InterruptedException {
        for (int i = 0; i < 500 && watchedForces.get() < n; i++) {
            Thread.sleep(10);
        }
        return watchedForces.get();
    }

    /** The production disk; forces of the files whose names start with {@code prefix} are counted, and the chosen one fails. */
    private final class ForceCountingDisk implements Disk {
        private final Disk disk = FileChannelDisk.INSTANCE;
        private final String prefix;

        ForceCountingDisk(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public DiskFile open(Path file, boolean create) throws IOException {
            DiskFile f = disk.open(file, create);
            if (!file.getFileName().toString().startsWith(prefix)) {
                return f;
            }
            return new DiskFile() {
                @Override
                public Path path() {
                    return f.path();
                }

                @Override
                public long size() throws IOException {
                    return f.size();
                }

                @Override
                public int read(ByteBuffer dst, long position) throws IOException {
                    return f.read(dst, position);
                }

                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    f.write(src, position);
                }

                @Override
                public void force() throws IOException {
                    int which = watchedForces.incrementAndGet();
                    if (which == failingForce) {
                        throw new IOException("injected: force " + which + " fails");
                    }
                    f.force();
                }

                @Override
                public void truncate(long size) throws IOException {
                    f.truncate(size);
                }

                @Override
                public boolean tryLock() throws IOException {
                    return f.tryLock();
                }

                @Override
                public void close() throws IOException {
                    f.close();
                }
            };
        }

        @Override
        public boolean exists(Path path) {
            return disk.exists(path);
        }

        @Override
        public boolean isDirectory(Path path) {
            return disk.isDirectory(path);
        }

        @Override
        public boolean isRegularFile(Path path) {
            return disk.isRegularFile(path);
        }

        @Override
        public boolean isWritable(Path path) {
            return disk.isWritable(path);
        }

        @Override
        public List<Path> list(Path dir) throws IOException {
            return disk.list(dir);
        }

        @Override
        public void createDirectory(Path dir) throws IOException {
            disk.createDirectory(dir);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            disk.rename(from, to);
        }

        @Override
        public void delete(Path file) throws IOException {
            disk.delete(file);
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
            disk.forceDirectory(dir);
        }
    }
}
