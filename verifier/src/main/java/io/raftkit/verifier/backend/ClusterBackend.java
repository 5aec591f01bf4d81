package io.raftkit.verifier.backend;

import io.raftkit.verifier.spi.Node;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A running KV cluster the verifier can drive and hurt: local processes or Docker containers.
 * Every fault method returns once the fault is in place. Network faults are set as a whole
 * ({@link #network}); a node that is restarted or resumed gets the current network state again.
 */
public interface ClusterBackend extends AutoCloseable {

    /** Node ids in a stable order. */
    List<String> nodes();

    /** The HTTP base URL clients use for {@code node}. */
    String endpoint(String node);

    /**
     * {@code node} as a workload's {@link io.raftkit.verifier.spi.Client} reaches it; by default
     * through its {@link #endpoint} ({@link EndpointNode}).
     */
    default Node node(String node) {
        return new EndpointNode(this, node);
    }

    /** Starts every node and waits until the cluster has a leader. */
    void start() throws IOException, InterruptedException;

    /** The current leader as the nodes report it, if any answers. */
    Optional<String> leader();

    /** The leader {@code node} believes in, if it runs and knows one; by default the leader any node reports. */
    default Optional<String> leaderSeenBy(String node) {
        return leader();
    }

    /** {@code kill -9}: the process dies, what it wrote (synced or not) stays on disk. */
    void kill(String node) throws IOException, InterruptedException;

    /**
     * A power loss: the node's log store drops what it wrote but did not sync, then the process
     * dies (the {@code fault-injecting} log store's crash command).
     */
    void crash(String node) throws IOException, InterruptedException;

    /** Starts a killed or crashed node again on its own data. */
    void restart(String node) throws IOException, InterruptedException;

    /** SIGSTOP. */
    void pause(String node) throws IOException, InterruptedException;

    /** SIGCONT. */
    void resume(String node) throws IOException, InterruptedException;

    /** Makes the network faults exactly {@code state} (replacing the previous state). */
    void network(NetworkState state) throws IOException, InterruptedException;

    /** Stops everything and removes what the backend created (processes, containers, networks). */
    @Override
    void close();
}
