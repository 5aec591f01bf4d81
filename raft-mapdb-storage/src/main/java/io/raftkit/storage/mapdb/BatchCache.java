package io.raftkit.storage.mapdb;

import io.raftkit.api.LogEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recently appended decoded batches, keyed by their first index. A leader reads back
 * what it has just appended to build AppendEntries for every follower (§5.3), so the newest
 * batches are read once per follower right after they are written; keeping them decoded saves a
 * disk read and a CRC pass each time.
 */
final class BatchCache {

    private final int maxBatches;
    private final LinkedHashMap<Long, List<LogEntry>> byFirstIndex;

    BatchCache(int maxBatches) {
        this.maxBatches = maxBatches;
        this.byFirstIndex = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, List<LogEntry>> eldest) {
                return size() > BatchCache.this.maxBatches;
            }
        };
    }

    List<LogEntry> get(long firstIndex) {
        return byFirstIndex.get(firstIndex);
    }

    void put(long firstIndex, List<LogEntry> entries) {
        if (maxBatches > 0) {
            byFirstIndex.put(firstIndex, entries);
        }
    }

    /** Forgets every batch starting at or after {@code firstIndex} (a suffix was truncated). */
    void removeFrom(long firstIndex) {
        byFirstIndex.keySet().removeIf(k -> k >= firstIndex);
    }

    void remove(long firstIndex) {
        byFirstIndex.remove(firstIndex);
    }
}
