package io.raftkit.api.spi;

import io.raftkit.api.NodeId;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a transport needs to know.
 *
 * @param self      this node
 * @param clusterId the cluster's name, as the log store gets it; a transport that authenticates peers
 *                  binds them to it, so a member of another cluster is refused
 * @param addresses every member's address, this node's included, in the form the plugin documents
 *                  ({@code host:port} for TCP)
 * @param options   plugin-specific settings
 * @param resources shared objects the host application lends (a Vert.x instance, a meter registry)
 */
public record TransportConfig(NodeId self, String clusterId, Map<NodeId, String> addresses, Options options,
                              Resources resources) {

    /** The name a cluster has when nobody gave it one ({@code RaftServerBuilder}'s default too). */
    public static final String DEFAULT_CLUSTER_ID = "raftkit";

    public TransportConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(clusterId, "clusterId");
        addresses = Map.copyOf(new TreeMap<>(addresses));
        options = options == null ? Options.EMPTY : options;
        resources = resources == null ? Resources.EMPTY : resources;
    }

    /** A transport of the default cluster ({@value #DEFAULT_CLUSTER_ID}). */
    public TransportConfig(NodeId self, Map<NodeId, String> addresses, Options options, Resources resources) {
        this(self, DEFAULT_CLUSTER_ID, addresses, options, resources);
    }

    /** This node's own address, or an error naming the node when it is missing. */
    public String selfAddress() {
        String address = addresses.get(self);
        if (address == null) {
            throw new IllegalArgumentException("no address given for this node " + self + "; known: " + addresses.keySet());
        }
        return address;
    }
}
