package io.raftkit.core.memory;

import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreContract;

class MemorySnapshotStoreTest extends SnapshotStoreContract {

    @Override
    protected SnapshotStore openNew() {
        return new MemorySnapshotStore();
    }

    @Override
    protected SnapshotStore openPeer() {
        return new MemorySnapshotStore();
    }

    @Override
    protected SnapshotStore reopen(SnapshotStore current) {
        return null; // not durable: the reopening tests do not apply
    }
}
