package io.raftkit.storage.mapdb;

import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.LogStoreProvider;
import java.io.IOException;

/**
 * The {@code mapdb} log store: durable, crash-safe, in {@link LogStoreConfig#dataDir()}:
 * {@code segment-*.log} files of checksummed batches, a {@code raft-state} file with the hard
 * state and compaction point, and a {@code LOCK} file holding the owner's pid.
 *
 * <p>The name is kept from format 1, which stored everything in MapDB; MapDB 3.1's write-ahead-log
 * recovery did not survive repeated {@code kill -9} (see this module's README), so formats 2 and 3
 * keep their durable state in files the store checks itself. This build writes and reads format 3.
 *
 * <p>Options:
 * <ul>
 *   <li>{@code read-cache-batches} (default 1024, 0 to 1,000,000): decoded batches kept in memory
 *       so AppendEntries reads of recent entries skip the disk; 0 disables the cache.</li>
 *   <li>{@code segment-mb} (default 64, 1 to 1024): size after which appends start a new segment
 *       file; compaction deletes whole segments.</li>
 * </ul>
 *
 * <p>Opening refuses, with an {@link IOException} naming the path and the problem, a directory of
 * another node or cluster, another format version, a corrupt file, or one locked by another
 * process. It never re-initialises or deletes data; a torn last write, which was never
 * acknowledged, is moved aside into a {@code .torn-<offset>} file.
 */
public final class MapDbLogStoreProvider implements LogStoreProvider {

    @Override
    public String name() {
        return "mapdb";
    }

    @Override
    public String description() {
        return "durable log store: checksummed segment files, one fsync per batch, survives kill -9";
    }

    @Override
    public LogStore open(LogStoreConfig config) throws IOException {
        if (config.dataDir() == null) {
            throw new IllegalArgumentException("the mapdb log store needs a data directory (RaftServerBuilder.dataDir, or LogStoreConfig.dataDir when opened directly)");
        }
        StoreSettings settings = StoreSettings.from(config.options());
        return SegmentedLogStore.open(config.dataDir(), config.clusterId(), config.self().value(), settings);
    }
}
