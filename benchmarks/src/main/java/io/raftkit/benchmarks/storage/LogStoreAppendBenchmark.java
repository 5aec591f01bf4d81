package io.raftkit.benchmarks.storage;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Durable appends of 100-byte entries through the {@code mapdb} LogStore, beside the baseline in
 * the same run: the same bytes appended to a plain file with {@code FileChannel.force} per batch.
 * One benchmark op is one batch (one fsync'd commit); the {@code entries} counter is entries/s.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar 'storage.LogStoreAppend' -f 1 -wi 2 -i 3 -r 2s</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class LogStoreAppendBenchmark {

    @Param({"1", "16", "64", "256"})
    public int batchSize;

    private Path dir;
    private LogStore store;
    private FileChannel raw;
    private long nextIndex;
    private ByteBuffer rawBytes;

    /** Entries appended, reported per second beside the batches. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Entries {
        public long entries;
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = StorageFixtures.scratch("append-");
        store = Plugins.logStore("mapdb").open(new LogStoreConfig(NodeId.of("n1"), "bench", dir.resolve("mapdb"), Options.EMPTY, null));
        raw = FileChannel.open(dir.resolve("raw.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        // The same bytes a batch costs on disk in our record layout: per entry term, kind, length and payload.
        rawBytes = ByteBuffer.allocate(batchSize * (StorageFixtures.PAYLOAD_BYTES + 13) + 17);
        nextIndex = 1;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        raw.close();
        StorageFixtures.delete(dir);
    }

    @Benchmark
    public void mapdbLogStore(Entries counter) throws IOException {
        List<LogEntry> batch = StorageFixtures.batch(nextIndex, batchSize, 1);
        store.append(batch);
        nextIndex += batchSize;
        counter.entries += batchSize;
    }

    @Benchmark
    public void rawFileChannelForceBaseline(Entries counter) throws IOException {
        rawBytes.clear();
        while (rawBytes.hasRemaining()) {
            raw.write(rawBytes);
        }
        raw.force(false);
        counter.entries += batchSize;
    }
}
