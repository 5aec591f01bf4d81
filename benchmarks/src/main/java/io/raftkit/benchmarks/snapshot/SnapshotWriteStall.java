package io.raftkit.benchmarks.snapshot;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
import io.raftkit.storage.mapdb.MapDbSnapshotStore;
import io.raftkit.storage.mapdb.SnapshotSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * What a snapshot being written costs the log's durable appends on the same disk, with the
 * {@code mapdb} snapshot store's background write-back at each step given (0: the snapshot is
 * forced once, at its end). One thread appends a 100-byte entry and waits for it to be durable,
 * over and over, into the {@code mapdb} log store; another writes a snapshot of RECORDS records
 * (16-byte keys, 100-byte values, about 140 MB at a million) into the {@code mapdb} snapshot store
 * in the same directory tree. The append latencies are split into those that ended while the
 * snapshot was being written and those of a quiet second before it.
 *
 * <p>Why this and not only the KV cluster's figure: on ext4's ordered mode an fsync of the log
 * waits for the data of every block allocated in the journal transaction it commits, a snapshot's
 * included. On a two-core host the cluster's figure mixes that with the CPU a snapshot takes.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.raftkit.benchmarks.snapshot.SnapshotWriteStall DIR [RECORDS] [ROUNDS] [MIB...]</pre>
 * Defaults: 1,000,000 records, 3 rounds, steps 0 and 4 MiB, alternated within each round.
 */
public final class SnapshotWriteStall {

    private SnapshotWriteStall() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SnapshotWriteStall DIR [RECORDS] [ROUNDS] [WRITE_BACK_MIB...]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int[] steps = args.length > 3 ? Stream.of(args).skip(3).mapToInt(Integer::parseInt).toArray() : new int[] {0, 4};
        System.out.printf(Locale.ROOT, "snapshot write stall: %,d records, %d rounds, write-back steps %s MiB, %s%n", records, rounds,
                Arrays.toString(steps), root);
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < steps.length; i++) {
                int step = steps[(i + round - 1) % steps.length]; // rotate the order from round to round
                Path dir = Files.createDirectories(root.resolve("round-" + round + "-mib-" + step));
                try {
                    System.out.println("round " + round + " " + run(dir, records, step));
                } finally {
                    delete(dir);
                }
            }
        }
    }

    private static String run(Path dir, int records, int writeBackMib) throws Exception {
        Histogram quiet = new Histogram(60_000_000_000L, 3);
        Histogram during = new Histogram(60_000_000_000L, 3);
        AtomicBoolean writing = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        long snapshotNanos;
        try (LogStore log = Plugins.logStore("mapdb").open(new LogStoreConfig(NodeId.of("n1"), "stall", dir.resolve("log"),
                Options.EMPTY, null));
             MapDbSnapshotStore snapshots = MapDbSnapshotStore.open(dir.resolve("snap"), "stall",
                     new SnapshotSettings(2, writeBackMib))) {
            Thread appender = new Thread(() -> appendUntil(log, stop, writing, quiet, during), "appender");
            appender.start();
            Thread.sleep(2_000); // a quiet stretch first: the appends' own latency on this disk now
            quiet.reset();
            Thread.sleep(1_000);
            writing.set(true);
            long start = System.nanoTime();
            writeSnapshot(snapshots, records);
            snapshotNanos = System.nanoTime() - start;
            writing.set(false);
            stop.set(true);
            appender.join();
        }
        return String.format(Locale.ROOT, "write-back %2d MiB: snapshot %,6.0f ms | appends quiet: %s | during the write: %s",
                writeBackMib, snapshotNanos / 1e6, summary(quiet), summary(during));
    }

    private static void appendUntil(LogStore log, AtomicBoolean stop, AtomicBoolean writing, Histogram quiet, Histogram during) {
        byte[] payload = new byte[100];
        long index = 1;
        try {
            while (!stop.get()) {
                long start = System.nanoTime();
                log.append(List.of(LogEntry.command(index, 1, payload)));
                long took = System.nanoTime() - start;
                (writing.get() ? during : quiet).recordValue(took);
                index++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeSnapshot(MapDbSnapshotStore store, int records) throws IOException {
        byte[] value = new byte[100];
        try (SnapshotBuilder b = store.create(1, 1, ClusterConfig.ofVoters("n1"), SnapshotKind.RECORDS)) {
            for (int i = 0; i < records; i++) {
                value[i % value.length] = (byte) i; // not all zeros: nothing on the way should find it cheap
                b.put(String.format(Locale.ROOT, "key-%012d", i).getBytes(StandardCharsets.UTF_8), value);
            }
            b.commit();
        }
    }

    private static String summary(Histogram h) {
        return String.format(Locale.ROOT, "n %,7d p50 %6.2f p99 %6.2f p99.9 %7.2f max %7.2f ms", h.getTotalCount(),
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6,
                h.getMaxValue() / 1e6);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
