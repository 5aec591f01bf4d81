package io.raftkit.benchmarks.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The record-layout question, on bare MapDB with the store's settings (transactions, file channel):
 * one record per entry versus one record per batch, both with one commit per batch. The store uses
 * the per-batch layout; this benchmark is why.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar 'storage.MapDbLayout' -f 1 -wi 2 -i 3 -r 2s</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class MapDbLayoutBenchmark {

    @Param({"1", "16", "64", "256"})
    public int batchSize;

    @Param({"entry", "batch"})
    public String layout;

    private Path dir;
    private DB db;
    private BTreeMap<Long, byte[]> records;
    private long nextIndex;
    private byte[] batchRecord;

    /** Entries committed, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Entries {
        public long entries;
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = StorageFixtures.scratch("layout-");
        db = DBMaker.fileDB(dir.resolve("layout.db").toFile()).transactionEnable().fileChannelEnable()
                .allocateIncrement(1 << 20).fileLockDisable().make();
        records = db.treeMap("log", Serializer.LONG, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable().createOrOpen();
        batchRecord = new byte[batchSize * (StorageFixtures.PAYLOAD_BYTES + 13) + 17];
        nextIndex = 1;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        db.close();
        StorageFixtures.delete(dir);
    }

    @Benchmark
    public void appendOneCommitPerBatch(Entries counter) {
        if (layout.equals("entry")) {
            for (int i = 0; i < batchSize; i++) {
                records.put(nextIndex + i, StorageFixtures.payload(nextIndex + i));
            }
        } else {
            records.put(nextIndex, batchRecord);
        }
        db.commit();
        nextIndex += batchSize;
        counter.entries += batchSize;
    }
}
