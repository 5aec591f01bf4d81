package io.raftkit.verifier.backend;

import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import java.util.Optional;

/**
 * A node of a process cluster (the KV store's local processes or Docker containers) as a
 * {@link io.raftkit.verifier.spi.Client} reaches it: through the client API at its {@link #endpoint},
 * looked up in the backend on every call (a node replaced by the membership nemesis moves to new
 * ports or a new address).
 */
public final class EndpointNode implements Node {

    private final ClusterBackend cluster;
    private final String id;

    public EndpointNode(ClusterBackend cluster, String id) {
        this.cluster = cluster;
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** The KV server takes no raw commands: a client of it speaks its HTTP API ({@link KvClient}). */
    @Override
    public Completion propose(byte[] command) {
        return Completion.fail("this node takes requests over its own API at " + cluster.endpoint(id) + ", not raw commands");
    }

    /** As {@link #propose}: nothing is read. */
    @Override
    public Completion read(byte[] query) {
        return Completion.fail("this node takes requests over its own API at " + cluster.endpoint(id) + ", not raw queries");
    }

    @Override
    public Optional<String> endpoint() {
        return Optional.of(cluster.endpoint(id));
    }

    @Override
    public String toString() {
        return id;
    }
}
