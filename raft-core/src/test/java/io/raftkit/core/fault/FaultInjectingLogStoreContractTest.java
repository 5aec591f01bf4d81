package io.raftkit.core.fault;

import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreContract;
import io.raftkit.core.memory.MemoryLogStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** The wrapper is a LogStore like any other (over the memory store, so not durable itself). */
class FaultInjectingLogStoreContractTest extends LogStoreContract {

    @Override
    protected LogStore openNew() throws Exception {
        Path dir = Files.createTempDirectory("fault-log");
        dir.toFile().deleteOnExit();
        return new FaultInjectingLogStore(new MemoryLogStore(), dir, false, 0);
    }

    @Override
    protected LogStore reopen(LogStore current) {
        return null; // the memory store inside keeps nothing across reopening
    }
}
