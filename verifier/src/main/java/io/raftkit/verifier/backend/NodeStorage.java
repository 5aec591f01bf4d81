package io.raftkit.verifier.backend;

/**
 * How each node stores its log and snapshots: always behind the {@code fault-injecting} stores, so
 * the crash fault can drop what was written but not synced, and stop snapshot writes at that instant.
 *
 * @param innerStore          the real store: {@code mapdb}, or {@code memory} (not durable: a planted bug)
 * @param ackBeforeSync       the planted bug of acknowledging writes before they are synced
 * @param snapshotEvery       a snapshot every this many entries ({@code --snapshot-every-entries}), 0 for
 *                            the server's default policy; small values make kills and partitions go
 *                            through compaction and InstallSnapshot
 */
public record NodeStorage(String innerStore, boolean ackBeforeSync, long snapshotEvery) {

    public static final NodeStorage DURABLE = new NodeStorage("mapdb", false, 0);

    public NodeStorage(String innerStore, boolean ackBeforeSync) {
        this(innerStore, ackBeforeSync, 0);
    }

    public NodeStorage {
        if (snapshotEvery < 0) {
            throw new IllegalArgumentException("--snapshot-every must be >= 0 (0: the server's default), was " + snapshotEvery);
        }
    }

    public NodeStorage withSnapshotEvery(long entries) {
        return new NodeStorage(innerStore, ackBeforeSync, entries);
    }

    /** The server flags that configure it, given the loopback port of the crash endpoint. */
    java.util.List<String> flags(int adminPort) {
        java.util.List<String> flags = new java.util.ArrayList<>(java.util.List.of("--log-store", "fault-injecting",
                "--set", "log-store.inner=" + innerStore,
                "--set", "log-store.ack-before-sync=" + ackBeforeSync,
                "--set", "log-store.admin-port=" + adminPort));
        // Snapshots on the same power as the log: the crash fault then stops a snapshot under way at
        // the instant it drops the log's unsynced writes (see PowerSupply). The planted "logs in
        // memory" keeps nothing durable: a durable snapshot would keep most of what the log loses and
        // hide the bug it plants.
        flags.addAll(java.util.List.of("--snapshot-store", "fault-injecting",
                "--set", "snapshot-store.inner=" + (innerStore.equals("memory") ? "memory" : "mapdb")));
        if (snapshotEvery > 0) {
            // A short kept tail too: a node down for a few seconds then falls behind the leader's
            // compaction point and must come back through InstallSnapshot, not the log.
            // Every N entries exactly: the server's default also waits until the log holds a tenth of
            // the last snapshot's size, which would space a verification's snapshots by its state's size.
            flags.addAll(java.util.List.of("--snapshot-every-entries", Long.toString(snapshotEvery),
                    "--snapshot-min-log-percent", "0",
                    "--snapshot-keep-tail", Long.toString(Math.max(1, snapshotEvery / 4))));
        }
        return java.util.List.copyOf(flags);
    }
}
