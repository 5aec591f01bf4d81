package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flipped bytes, truncated and missing snapshot files each give a clear outcome: opening falls
 * back to the previous snapshot, leaving the damaged one in place with a warning naming the file;
 * with no valid snapshot left it refuses, naming them; a sender never passes on changed bytes.
 */
class SnapshotDamageTest {

    private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1", "n2", "n3");

    @TempDir
    Path dir;
    private MapDbSnapshotStore store;

    @AfterEach
    void close() throws IOException {
        if (store != null) {
            store.close();
        }
    }

    private MapDbSnapshotStore open() throws IOException {
        return MapDbSnapshotStore.open(dir, "c", SnapshotSettings.DEFAULTS);
    }

    private Path file(SnapshotMeta meta, String suffix) {
        return dir.resolve(MapDbSnapshotStore.DIRECTORY).resolve(StoredSnapshot.PREFIX + meta.id() + suffix);
    }

    private static SnapshotMeta commit(MapDbSnapshotStore store, long index, long seed) throws IOException {
        Random random = new Random(seed);
        try (SnapshotBuilder b = store.create(index, 1, CONFIG, SnapshotKind.RECORDS)) {
            for (int i = 0; i < 2000; i++) {
                byte[] value = new byte[i % 50 == 0 ? 20_000 : 40];
                random.nextBytes(value);
                b.put(String.format("k%06d", i).getBytes(), value);
            }
            return b.commit();
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"flip .table", "flip .values", "flip .meta", "truncate .table", "truncate .values", "delete .values",
            "delete .table", "truncate .meta"})
    void aDamagedNewestSnapshotFallsBackToThePreviousOneAndStaysInPlace(String damage) throws Exception {
        store = open();
        SnapshotMeta previous = commit(store, 10, 1);
        SnapshotMeta newest = commit(store, 20, 2);
        store.close();
        String[] parts = damage.split(" ");
        Path target = file(newest, parts[1]);
        long size = Files.size(target);
        switch (parts[0]) {
            case "flip" -> flipByte(target, size / 2);
            case "truncate" -> truncate(target, size - 1);
            default -> Files.delete(target);
        }
        store = open();
        assertThat(store.latest()).contains(previous);
        assertThat(store.list()).containsExactly(previous);
        if (!parts[0].equals("delete")) {
            assertThat(target).exists(); // kept for the operator, not deleted
        }
        try (SnapshotReader r = store.read(previous.id())) {
            int count = 0;
            while (r.nextRecord()) {
                count++;
            }
            assertThat(count).isEqualTo(2000);
        }
    }

    @Test
    void whenNoSnapshotIsValidOpeningRefusesNamingThemAndChangesNothing() throws Exception {
        store = open();
        SnapshotMeta previous = commit(store, 10, 1);
        SnapshotMeta newest = commit(store, 20, 2);
        store.close();
        store = null;
        flipByte(file(previous, StoredSnapshot.TABLE), 5000);
        flipByte(file(newest, StoredSnapshot.VALUES), 10);
        assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                .hasMessageContaining("no valid snapshot")
                .hasMessageContaining(previous.id())
                .hasMessageContaining(newest.id());
        assertThat(file(previous, StoredSnapshot.META)).exists();
        assertThat(file(newest, StoredSnapshot.TABLE)).exists();
    }

    @Test
    void bytesChangedAfterOpeningAreCaughtBeforeTheyAreSent() throws Exception {
        store = open();
        SnapshotMeta meta = commit(store, 10, 1);
        flipByte(file(meta, StoredSnapshot.VALUES), 100);
        try (InputStream in = store.openStream(meta.id())) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(InvalidSnapshotException.class)
                    .hasMessageContaining("does not match");
        }
    }

    @Test
    void anOpaqueSnapshotChangedAfterOpeningIsCaughtWhenRead() throws Exception {
        store = open();
        SnapshotMeta meta;
        try (SnapshotBuilder b = store.create(5, 1, CONFIG, SnapshotKind.BYTES)) {
            b.write(new byte[100_000], 0, 100_000);
            meta = b.commit();
        }
        flipByte(file(meta, StoredSnapshot.STREAM), 50_000);
        try (SnapshotReader r = store.read(meta.id())) {
            assertThatThrownBy(() -> r.bytes().readAllBytes()).isInstanceOf(InvalidSnapshotException.class);
        }
    }

    @Test
    void leftoversOfAnInterruptedSnapshotAreRemovedAtOpen() throws Exception {
        store = open();
        SnapshotMeta meta = commit(store, 10, 1);
        store.close();
        Path snapshots = dir.resolve(MapDbSnapshotStore.DIRECTORY);
        Files.write(snapshots.resolve("build-7.table.tmp"), new byte[10]);
        Files.write(snapshots.resolve("snapshot-30-1-00000000.table"), new byte[10]); // renamed, meta never written
        Files.write(snapshots.resolve("snapshot-30-1-00000000.meta.tmp"), new byte[10]);
        store = open();
        assertThat(store.list()).containsExactly(meta);
        try (var files = Files.list(snapshots)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("LOCK",
                    "snapshot-" + meta.id() + ".meta", "snapshot-" + meta.id() + ".table", "snapshot-" + meta.id() + ".values");
        }
    }
}
