package io.raftkit.core.fault;

import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.LogStoreProvider;
import io.raftkit.api.spi.Plugins;
import java.io.IOException;
import java.util.Set;

/**
 * The {@code fault-injecting} log store: another store (option {@code inner}, default {@code mapdb})
 * behind {@link FaultInjectingLogStore}, which knows what is synced and drops the rest on a crash
 * command. Options: {@code admin-port} (loopback endpoint for the crash command; unset: none),
 * {@code ack-before-sync} (the planted bug: acknowledge writes before they are synced; default
 * false) and {@code sync-interval-ms} (with that bug, how often the deferred sync runs; default
 * 30000: a store that never fsyncs leaves its data to the kernel, which writes dirty pages back once
 * they are 30 s old, Linux's {@code vm.dirty_expire_centisecs = 3000}). The rest of the options are
 * the inner store's.
 */
public final class FaultInjectingLogStoreProvider implements LogStoreProvider {

    public static final String NAME = "fault-injecting";
    private static final Set<String> OWN = Set.of("inner", "admin-port", "ack-before-sync", "sync-interval-ms");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "wraps another log store (option inner) and, on a crash command, drops what was written but not synced";
    }

    @Override
    public LogStore open(LogStoreConfig config) throws IOException {
        String innerName = config.options().string("inner", "mapdb");
        if (innerName.equals(NAME)) {
            throw new IllegalArgumentException("option inner = " + NAME + " would wrap itself; name a real log store");
        }
        if (config.dataDir() == null) {
            throw new IllegalArgumentException("the fault-injecting log store needs a data directory for its crash marker"
                    + " (RaftServerBuilder.dataDir, or LogStoreConfig.dataDir when opened directly)");
        }
        boolean ackBeforeSync = config.options().booleanValue("ack-before-sync", false);
        long syncInterval = config.options().longValue("sync-interval-ms", 30_000, 1, 3_600_000);
        int adminPort = config.options().intValue("admin-port", 0, 0, 65535);
        LogStore inner = Plugins.logStore(innerName).open(new LogStoreConfig(config.self(), config.clusterId(), config.dataDir(),
                config.options().without(OWN), config.resources()));
        FaultInjectingLogStore store;
        try {
            store = new FaultInjectingLogStore(inner, config.dataDir(), ackBeforeSync, syncInterval);
        } catch (IOException | RuntimeException e) {
            inner.close();
            throw e;
        }
        if (config.options().get("admin-port").isPresent()) {
            try {
                store.attach(new DiskFaultAdminServer(adminPort, store, status -> Runtime.getRuntime().halt(status)));
            } catch (IOException e) {
                store.close();
                throw new IllegalArgumentException("option admin-port = " + adminPort + ": cannot listen on 127.0.0.1: " + e.getMessage(), e);
            }
        }
        return store;
    }
}
