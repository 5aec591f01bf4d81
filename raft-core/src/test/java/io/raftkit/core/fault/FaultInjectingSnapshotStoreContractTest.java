package io.raftkit.core.fault;

import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreContract;
import io.raftkit.core.memory.MemorySnapshotStore;

/** The wrapper keeps every promise of the store it wraps while the power is on. */
class FaultInjectingSnapshotStoreContractTest extends SnapshotStoreContract {

    @Override
    protected SnapshotStore openNew() {
        return new FaultInjectingSnapshotStore(new MemorySnapshotStore(), PowerSupply.of(null));
    }

    @Override
    protected SnapshotStore openPeer() {
        return openNew();
    }

    @Override
    protected SnapshotStore reopen(SnapshotStore current) {
        return null; // the memory store inside is not durable: the reopening tests do not apply
    }
}
