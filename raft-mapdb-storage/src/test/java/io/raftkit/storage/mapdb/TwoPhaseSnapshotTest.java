package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotWriter;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.StateMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-phase snapshot as the driver will run it, against the real store: capture on the loop
 * thread, write on another thread while applies go on, commit, then restore a fresh state machine
 * from the stored snapshot. The state machine is a small copy-on-write map (each apply makes a new
 * map, so a capture is one reference), the cheapest honest way to a point-in-time view.
 */
class TwoPhaseSnapshotTest {

    @TempDir
    Path dir;

    /** Keys and values of "put key value" commands, in a map replaced (not changed) on every apply. */
    static final class CopyOnWriteMachine implements StateMachine {
        private volatile TreeMap<byte[], byte[]> state = new TreeMap<>(Arrays::compareUnsigned);
        long applied;

        @Override
        public byte[] apply(long index, byte[] command) {
            String[] f = new String(command, StandardCharsets.UTF_8).split(" ", 2);
            TreeMap<byte[], byte[]> next = new TreeMap<>(state);
            next.put(f[0].getBytes(StandardCharsets.UTF_8), f[1].getBytes(StandardCharsets.UTF_8));
            state = next;
            applied = index;
            return null;
        }

        @Override
        public byte[] query(byte[] query) {
            return state.get(query);
        }

        @Override
        public boolean supportsSnapshots() {
            return true;
        }

        @Override
        public StateMachineSnapshot captureSnapshot() {
            TreeMap<byte[], byte[]> view = state; // never changed after publication: the capture is this reference
            return new StateMachineSnapshot() {
                @Override
                public SnapshotKind kind() {
                    return SnapshotKind.RECORDS;
                }

                @Override
                public void writeTo(SnapshotWriter out) throws IOException {
                    for (Map.Entry<byte[], byte[]> e : view.entrySet()) {
                        out.put(e.getKey(), e.getValue());
                    }
                }
            };
        }

        @Override
        public void restoreSnapshot(SnapshotReader snapshot) throws IOException {
            TreeMap<byte[], byte[]> restored = new TreeMap<>(Arrays::compareUnsigned);
            while (snapshot.nextRecord()) {
                restored.put(snapshot.key(), snapshot.value());
            }
            state = restored;
            applied = snapshot.meta().lastIncludedIndex();
        }
    }

    private static byte[] put(String key, String value) {
        return (key + " " + value).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theWriterThreadWritesTheCapturedViewWhileTheLoopAppliesOnAndARestoredMachineHasExactlyIt() throws Exception {
        CopyOnWriteMachine machine = new CopyOnWriteMachine();
        for (int i = 1; i <= 500; i++) {
            machine.apply(i, put(String.format("k%04d", i % 300), "v" + i));
        }
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (SnapshotStore store = MapDbSnapshotStore.open(dir, "c", SnapshotSettings.DEFAULTS)) {
            // Phase one, on the loop thread: capture at applied index 500.
            StateMachineSnapshot captured = machine.captureSnapshot();
            long index = machine.applied;
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch appliedMore = new CountDownLatch(1);
            // Phase two, on the writer thread, while the loop applies 500 more commands.
            Future<SnapshotMeta> written = writer.submit(() -> {
                try (captured; SnapshotStore.SnapshotBuilder b = store.create(index, 3, ClusterConfig.ofVoters("n1"), captured.kind())) {
                    writing.countDown();
                    appliedMore.await(10, TimeUnit.SECONDS);
                    captured.writeTo(b);
                    return b.commit();
                }
            });
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 501; i <= 1000; i++) {
                machine.apply(i, put(String.format("k%04d", i % 300), "later" + i));
            }
            appliedMore.countDown();
            SnapshotMeta meta = written.get(30, TimeUnit.SECONDS);
            assertThat(meta.lastIncludedIndex()).isEqualTo(500);

            CopyOnWriteMachine restored = new CopyOnWriteMachine();
            try (SnapshotReader reader = store.read(meta.id())) {
                restored.restoreSnapshot(reader);
            }
            assertThat(restored.applied).isEqualTo(500);
            // As of index 500: every key holds the value of its last put up to 500, none of the later ones.
            CopyOnWriteMachine replayed = new CopyOnWriteMachine();
            for (int i = 1; i <= 500; i++) {
                replayed.apply(i, put(String.format("k%04d", i % 300), "v" + i));
            }
            for (int k = 0; k < 300; k++) {
                byte[] key = String.format("k%04d", k).getBytes(StandardCharsets.UTF_8);
                assertThat(restored.query(key)).as("key %d", k).isEqualTo(replayed.query(key));
            }
            assertThat(new String(machine.query("k0001".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                    .startsWith("later");
        } finally {
            writer.shutdownNow();
        }
    }
}
