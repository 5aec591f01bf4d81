package io.raftkit.api.spi;

import io.raftkit.api.NodeId;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a transport needs to know.
 *
 * @param self      this node
 * @param addresses every member's address, this node's included, in the form the plugin documents
 *                  ({@code host:port} for TCP)
 * @param options   plugin-specific settings
 * @param resources shared objects the host application lends (a Vert.x instance, a meter registry)
 */
public record TransportConfig(NodeId self, Map<NodeId, String> addresses, Options options, Resources resources) {

    public TransportConfig {
        Objects.requireNonNull(self, "self");
        addresses = Map.copyOf(new TreeMap<>(addresses));
        options = options == null ? Options.EMPTY : options;
        resources = resources == null ? Resources.EMPTY : resources;
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
