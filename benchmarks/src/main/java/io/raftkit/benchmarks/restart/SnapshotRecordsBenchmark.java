package io.raftkit.benchmarks.restart;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.SessionStamp;
import io.raftkit.storage.mapdb.MapDbSnapshotStore;
import io.raftkit.storage.mapdb.SnapshotSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mapdb.Serializer;
import org.mapdb.SortedTableMap;
import org.mapdb.volume.MappedFileVol;
import org.mapdb.volume.Volume;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The snapshot load of a restart with 1 million keys (100-byte values), from the {@code mapdb}
 * snapshot store on disk (the page cache warm): {@code storeRecords} reads the newest snapshot's
 * records through the store, {@code storeRestore} restores them into a {@link KvStateMachine}.
 * The baseline in the same run, {@code mapdbRecords}, reads the same table file the way the store
 * did before its own node reader ({@code TableNodeReader}): MapDB's {@code Serializer.BYTE_ARRAY}
 * for keys and values, then each value copied without its one-byte tag.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'restart.SnapshotRecordsBenchmark' -f 1 -wi 1 -i 3
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class SnapshotRecordsBenchmark {

    private static final int KEYS = 1_000_000;
    private static final String CLUSTER = "records-benchmark";

    private Path dir;
    private SnapshotStore store;
    private SnapshotMeta snapshot;
    private Path table;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("snapshot-records");
        store = MapDbSnapshotStore.open(dir, CLUSTER, SnapshotSettings.DEFAULTS);
        KvStateMachine sm = new KvStateMachine();
        String value = "v".repeat(100);
        for (int k = 0; k < KEYS; k++) {
            sm.apply(k + 1, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_700_000_000_000L),
                    String.format("key-%08d", k), value)));
        }
        try (StateMachineSnapshot s = sm.captureSnapshot();
             SnapshotStore.SnapshotBuilder b = store.create(KEYS, 1, ClusterConfig.ofVoters("n1"), s.kind())) {
            s.writeTo(b);
            snapshot = b.commit();
        }
        try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
            table = files.filter(f -> f.getFileName().toString().endsWith(".table")).findFirst().orElseThrow();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Benchmark
    public long storeRecords() throws IOException {
        long bytes = 0;
        try (SnapshotReader r = store.read(snapshot.id())) {
            while (r.nextRecord()) {
                bytes += r.key().length + r.value().length;
            }
        }
        return bytes;
    }

    @Benchmark
    public long mapdbRecords() {
        long bytes = 0;
        Volume volume = MappedFileVol.FACTORY.makeVolume(table.toString(), true, 0L, 20, 0L, false);
        try {
            SortedTableMap<byte[], byte[]> map = SortedTableMap.open(volume, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY);
            Iterator<Map.Entry<byte[], byte[]>> entries = map.entryIterator();
            while (entries.hasNext()) {
                Map.Entry<byte[], byte[]> e = entries.next();
                byte[] stored = e.getValue();
                byte[] value = Arrays.copyOfRange(stored, 1, stored.length); // every value here is inline
                bytes += e.getKey().length + value.length;
            }
        } finally {
            volume.close();
        }
        return bytes;
    }

    @Benchmark
    public KvStateMachine storeRestore() throws IOException {
        KvStateMachine sm = new KvStateMachine();
        try (SnapshotReader r = store.read(snapshot.id())) {
            sm.restoreSnapshot(r);
        }
        return sm;
    }
}
