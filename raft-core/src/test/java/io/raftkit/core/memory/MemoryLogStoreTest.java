package io.raftkit.core.memory;

import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreContract;

class MemoryLogStoreTest extends LogStoreContract {

    @Override
    protected LogStore openNew() {
        return new MemoryLogStore();
    }

    @Override
    protected LogStore reopen(LogStore current) {
        return null; // not durable: the reopening tests do not apply
    }
}
