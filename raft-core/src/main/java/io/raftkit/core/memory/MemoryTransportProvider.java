package io.raftkit.core.memory;

import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportProvider;

/**
 * The {@code memory} transport. Nodes meet on the {@link MemoryNetwork} lent through the config's
 * resources, else on the process-wide network named by option {@code network} (default
 * {@code default}).
 */
public final class MemoryTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String description() {
        return "in-JVM transport for tests and embedding (no network)";
    }

    @Override
    public Transport create(TransportConfig config) {
        config.options().requireOnly("the memory transport", java.util.Set.of("network"));
        MemoryNetwork network = config.resources().get(MemoryNetwork.class)
                .orElseGet(() -> MemoryNetwork.named(config.options().string("network", "default")));
        return new MemoryTransport(config.self(), network);
    }
}
