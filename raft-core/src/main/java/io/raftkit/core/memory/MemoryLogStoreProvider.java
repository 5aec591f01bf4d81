package io.raftkit.core.memory;

import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.LogStoreProvider;

/** The {@code memory} log store: not durable, see {@link MemoryLogStore}. */
public final class MemoryLogStoreProvider implements LogStoreProvider {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String description() {
        return "in-memory log store, NOT durable (tests, benchmarks, embedding)";
    }

    @Override
    public LogStore open(LogStoreConfig config) {
        config.options().requireOnly("the memory log store", java.util.Set.of());
        return new MemoryLogStore();
    }
}
