package io.raftkit.storage.mapdb;

import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.LogStoreProvider;
import java.io.IOException;

/**
 * The {@code mapdb} log store: durable, crash-safe, one MapDB file per node in
 * {@link LogStoreConfig#dataDir()} ({@code raft-log.db}, plus MapDB's write-ahead log files and a
 * {@code LOCK} file holding the owner's pid).
 *
 * <p>Options:
 * <ul>
 *   <li>{@code read-cache-batches} (default 1024, 0 to 1,000,000): decoded batches kept in memory
 *       so AppendEntries reads of recent entries skip the disk; 0 disables the cache.</li>
 *   <li>{@code allocate-increment-mb} (default 1, 1 to 1024): how many MiB MapDB grows the file by.</li>
 *   <li>{@code min-free-mb} (default 64, 0 to 1,048,576): free disk kept in reserve, plus one increment;
 *       a write that would go below it fails with an IOException before MapDB is touched, because
 *       MapDB 3.1 running out of space mid-commit corrupted the last committed record. 0 disables it.</li>
 * </ul>
 *
 * <p>Opening refuses, with an {@link IOException} naming the path and the problem, a directory of
 * another node or cluster, a newer format version, a corrupt file, or one locked by another process.
 * It never re-initialises or deletes data.
 */
public final class MapDbLogStoreProvider implements LogStoreProvider {

    @Override
    public String name() {
        return "mapdb";
    }

    @Override
    public String description() {
        return "durable log store in MapDB files (one commit per batch, survives kill -9)";
    }

    @Override
    public LogStore open(LogStoreConfig config) throws IOException {
        if (config.dataDir() == null) {
            throw new IllegalArgumentException("the mapdb log store needs a data directory (LogStoreConfig.dataDir)");
        }
        MapDbSettings settings = MapDbSettings.from(config.options());
        return MapDbLogStore.open(config.dataDir(), config.clusterId(), config.self().value(), settings);
    }
}
