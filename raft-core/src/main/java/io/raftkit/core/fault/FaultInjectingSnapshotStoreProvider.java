package io.raftkit.core.fault;

import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import io.raftkit.api.spi.SnapshotStoreProvider;
import java.io.IOException;
import java.util.Set;

/**
 * The {@code fault-injecting} snapshot store: wraps the store named by option {@code inner}
 * ({@code mapdb} by default) and shares the node's power with the {@code fault-injecting} log store
 * (by data directory), so the verifier's crash fault stops snapshot writes at the same instant as
 * log writes. See {@link FaultInjectingSnapshotStore}.
 */
public final class FaultInjectingSnapshotStoreProvider implements SnapshotStoreProvider {

    public static final String NAME = "fault-injecting";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "wraps another snapshot store (option inner) on the power of the node's fault-injecting log store";
    }

    @Override
    public SnapshotStore open(SnapshotStoreConfig config) throws IOException {
        String innerName = config.options().string("inner", "mapdb");
        if (innerName.equals(NAME)) {
            throw new IllegalArgumentException("option inner = " + NAME + " would wrap itself; name a real snapshot store");
        }
        if (config.dataDir() == null) {
            throw new IllegalArgumentException("the fault-injecting snapshot store needs the node's data directory,"
                    + " which names the power it shares with the fault-injecting log store");
        }
        SnapshotStore inner = Plugins.snapshotStore(innerName).open(new SnapshotStoreConfig(config.self(), config.clusterId(),
                config.dataDir(), config.options().without(Set.of("inner")), config.resources()));
        return new FaultInjectingSnapshotStore(inner, PowerSupply.of(config.dataDir()));
    }
}
