package io.raftkit.storage.mapdb;

import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import io.raftkit.api.spi.SnapshotStoreProvider;
import java.io.IOException;

/**
 * The {@code mapdb} snapshot store: snapshots in {@code <dataDir>/snapshots}, records as MapDB
 * {@code SortedTableMap} files written once in key order and read back memory-mapped, opaque
 * snapshots as their transfer stream; every file checksummed in a meta file written last.
 *
 * <p>Options: {@code snapshots-kept} (default 2, 2 to 100): how many snapshots to keep;
 * {@code snapshot-write-back-mib} (default 1, 0 to 1024): every how many MiB a snapshot being written
 * is forced in the background (0: once, at its end).
 */
public final class MapDbSnapshotStoreProvider implements SnapshotStoreProvider {

    @Override
    public String name() {
        return "mapdb";
    }

    @Override
    public String description() {
        return "durable snapshot store: MapDB sorted tables written once, checksummed, renamed into place";
    }

    @Override
    public SnapshotStore open(SnapshotStoreConfig config) throws IOException {
        if (config.dataDir() == null) {
            throw new IllegalArgumentException("the mapdb snapshot store needs a data directory (SnapshotStoreConfig.dataDir)");
        }
        return MapDbSnapshotStore.open(config.dataDir(), config.clusterId(), SnapshotSettings.from(config.options()));
    }
}
