package io.raftkit.core.memory;

import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import io.raftkit.api.spi.SnapshotStoreProvider;

/** The {@code memory} snapshot store: not durable, see {@link MemorySnapshotStore}. */
public final class MemorySnapshotStoreProvider implements SnapshotStoreProvider {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String description() {
        return "in-memory snapshot store, NOT durable, whole snapshots in the heap (tests, the simulator)";
    }

    @Override
    public SnapshotStore open(SnapshotStoreConfig config) {
        config.options().requireOnly("the memory snapshot store", java.util.Set.of());
        return new MemorySnapshotStore();
    }
}
