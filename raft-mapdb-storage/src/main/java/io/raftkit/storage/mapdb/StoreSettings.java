package io.raftkit.storage.mapdb;

import io.raftkit.api.spi.Options;
import java.util.Set;

/**
 * The tunables of the durable log store, read from {@link Options} with defaults that suit a Raft
 * log of small commands.
 *
 * @param readCacheBatches decoded batches kept in memory for AppendEntries reads (0 disables)
 * @param segmentBytes     size after which appends go to a new segment file; compaction deletes
 *                         whole segments, so smaller segments free disk sooner, larger ones make
 *                         fewer files
 */
public record StoreSettings(int readCacheBatches, long segmentBytes) {

    public static final String READ_CACHE_BATCHES = "read-cache-batches";
    public static final String SEGMENT_MB = "segment-mb";

    public static final StoreSettings DEFAULTS = new StoreSettings(1024, 64L << 20);

    public StoreSettings {
        if (readCacheBatches < 0) {
            throw new IllegalArgumentException("readCacheBatches must be >= 0, was " + readCacheBatches);
        }
        if (segmentBytes < 1) {
            throw new IllegalArgumentException("segmentBytes must be >= 1, was " + segmentBytes);
        }
    }

    /** Reads the settings; a bad value throws {@link IllegalArgumentException} naming the option. */
    public static StoreSettings from(Options options) {
        options.requireOnly("the mapdb log store", Set.of(READ_CACHE_BATCHES, SEGMENT_MB));
        int cache = options.intValue(READ_CACHE_BATCHES, DEFAULTS.readCacheBatches(), 0, 1_000_000);
        long segmentMb = options.longValue(SEGMENT_MB, DEFAULTS.segmentBytes() >> 20, 1, 1024);
        return new StoreSettings(cache, segmentMb << 20);
    }
}
