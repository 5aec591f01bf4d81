package io.raftkit.benchmarks.storage;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
 * Range reads as a leader does them for AppendEntries: 64 entries (of 100 bytes) from a random
 * position of a 200,000-entry log written in batches of 64, with the decoded-batch cache on (the
 * default, 1024 batches) and off ({@code read-cache-batches=0}, every read decodes from MapDB).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar 'storage.LogStoreRead' -f 1 -wi 2 -i 3 -r 2s</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class LogStoreReadBenchmark {

    private static final int LOG_ENTRIES = 200_000;
    private static final int WRITE_BATCH = 64;
    private static final int READ_ENTRIES = 64;

    @Param({"1024", "0"})
    public int readCacheBatches;

    private Path dir;
    private LogStore store;
    private final SplittableRandom random = new SplittableRandom(42);

    /** Entries read, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Entries {
        public long entries;
    }

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = StorageFixtures.scratch("read-");
        Options options = Options.of(Map.of("read-cache-batches", Integer.toString(readCacheBatches)));
        store = Plugins.logStore("mapdb").open(new LogStoreConfig(NodeId.of("n1"), "bench", dir.resolve("mapdb"), options, null));
        for (long i = 1; i <= LOG_ENTRIES; i += WRITE_BATCH) {
            store.append(StorageFixtures.batch(i, WRITE_BATCH, 1));
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        StorageFixtures.delete(dir);
    }

    /** Recent entries, as for followers that keep up: the last 1,000 of the log. */
    @Benchmark
    public List<LogEntry> readRecent(Entries counter) throws IOException {
        long from = LOG_ENTRIES - 1_000 + random.nextInt(1_000 - READ_ENTRIES);
        List<LogEntry> got = store.entries(from, from + READ_ENTRIES - 1, Long.MAX_VALUE);
        counter.entries += got.size();
        return got;
    }

    /** Anywhere in the log, as for a follower catching up from far behind. */
    @Benchmark
    public List<LogEntry> readAnywhere(Entries counter) throws IOException {
        long from = 1 + random.nextInt(LOG_ENTRIES - READ_ENTRIES);
        List<LogEntry> got = store.entries(from, from + READ_ENTRIES - 1, Long.MAX_VALUE);
        counter.entries += got.size();
        return got;
    }
}
