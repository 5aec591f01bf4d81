package io.raftkit.verifier.backend;

/**
 * How each node stores its log: always behind the {@code fault-injecting} log store, so the crash
 * fault can drop what was written but not synced.
 *
 * @param innerStore    the real store: {@code mapdb}, or {@code memory} (not durable: a planted bug)
 * @param ackBeforeSync the planted bug of acknowledging writes before they are synced
 */
public record NodeStorage(String innerStore, boolean ackBeforeSync) {

    public static final NodeStorage DURABLE = new NodeStorage("mapdb", false);

    /** The server flags that configure it, given the loopback port of the crash endpoint. */
    java.util.List<String> flags(int adminPort) {
        return java.util.List.of("--log-store", "fault-injecting",
                "--set", "log-store.inner=" + innerStore,
                "--set", "log-store.ack-before-sync=" + ackBeforeSync,
                "--set", "log-store.admin-port=" + adminPort);
    }
}
