package io.raftkit.benchmarks.storage;

import io.raftkit.api.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Shared pieces of the storage benchmarks: 100-byte entries and scratch directories. */
final class StorageFixtures {

    static final int PAYLOAD_BYTES = 100;

    private StorageFixtures() {
    }

    static byte[] payload(long index) {
        byte[] bytes = new byte[PAYLOAD_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (index * 31 + i);
        }
        return bytes;
    }

    static List<LogEntry> batch(long from, int size, long term) {
        List<LogEntry> list = new ArrayList<>(size);
        for (long i = from; i < from + size; i++) {
            list.add(LogEntry.command(i, term, payload(i)));
        }
        return list;
    }

    /** A scratch directory on the same disk as the build (not tmpfs), so fsync costs what it costs there. */
    static Path scratch(String prefix) throws IOException {
        Path base = Path.of(System.getProperty("raft.bench.dir", "target/bench-data"));
        Files.createDirectories(base);
        return Files.createTempDirectory(base.toAbsolutePath(), prefix);
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
