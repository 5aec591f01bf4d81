package io.raftkit.storage.mapdb;

import io.raftkit.api.spi.Options;

/**
 * The tunables of the MapDB log store, read from {@link Options} with defaults that suit a Raft
 * log of small commands.
 *
 * @param readCacheBatches       decoded batches kept in memory for AppendEntries reads (0 disables)
 * @param allocateIncrementBytes how much MapDB grows the file by at a time
 * @param minFreeBytes           free space the disk must keep (0 disables the check); a write that would go below it is refused
 *                               with an IOException before MapDB is touched, because MapDB 3.1 running
 *                               out of space in the middle of a commit corrupted the last committed
 *                               record (found by DiskFullTest)
 */
public record MapDbSettings(int readCacheBatches, long allocateIncrementBytes, long minFreeBytes) {

    public static final String READ_CACHE_BATCHES = "read-cache-batches";
    public static final String ALLOCATE_INCREMENT_MB = "allocate-increment-mb";
    public static final String MIN_FREE_MB = "min-free-mb";

    public static final MapDbSettings DEFAULTS = new MapDbSettings(1024, 1L << 20, 64L << 20);

    public MapDbSettings {
        if (readCacheBatches < 0) {
            throw new IllegalArgumentException("readCacheBatches must be >= 0, was " + readCacheBatches);
        }
        if (allocateIncrementBytes < 1) {
            throw new IllegalArgumentException("allocateIncrementBytes must be >= 1, was " + allocateIncrementBytes);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must be >= 0, was " + minFreeBytes);
        }
    }

    /** Reads the settings; a bad value throws {@link IllegalArgumentException} naming the option. */
    public static MapDbSettings from(Options options) {
        int cache = options.intValue(READ_CACHE_BATCHES, DEFAULTS.readCacheBatches(), 0, 1_000_000);
        long incrementMb = options.longValue(ALLOCATE_INCREMENT_MB, DEFAULTS.allocateIncrementBytes() >> 20, 1, 1024);
        long minFreeMb = options.longValue(MIN_FREE_MB, DEFAULTS.minFreeBytes() >> 20, 0, 1L << 20);
        return new MapDbSettings(cache, incrementMb << 20, minFreeMb << 20);
    }
}
