package io.raftkit.core.server;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Transport;
import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps the transport's peers in step with the membership (issue 17): the addresses of members
 * added at run time travel in the configuration entries, so every node's transport learns them as
 * the entry is appended (before the Ready's messages leave), and any later leader can reach them;
 * a member that a committed configuration no longer has is forgotten. Loop thread only.
 */
final class TransportPeers {

    private static final System.Logger LOG = System.getLogger(RaftServer.class.getName());

    private final NodeId self;
    private final Transport transport;
    /** Every peer the transport knows, with the address it was told (null: it came with the transport's config). */
    private final Map<NodeId, String> known = new TreeMap<>();

    TransportPeers(NodeId self, Transport transport, Set<NodeId> startMembers) {
        this.self = self;
        this.transport = transport;
        for (NodeId id : startMembers) {
            if (!id.equals(self)) {
                known.put(id, null);
            }
        }
    }

    /**
     * The leader, before it proposes adding {@code id}: tells the transport now, so that a transport
     * that cannot add peers refuses the change before anything is appended.
     *
     * @throws RuntimeException the transport's refusal
     */
    void add(NodeId id, String address) {
        if (!id.equals(self) && !address.equals(known.get(id))) {
            transport.addPeer(id, address);
            known.put(id, address);
        }
    }

    /** A configuration was appended, restored or installed: tell the transport of addresses it has not had. */
    void learn(ClusterConfig config) {
        for (Map.Entry<NodeId, String> e : config.addresses().entrySet()) {
            NodeId id = e.getKey();
            if (id.equals(self) || e.getValue().equals(known.get(id))) {
                continue;
            }
            try {
                transport.addPeer(id, e.getValue());
            } catch (RuntimeException ex) {
                // A follower cannot refuse a committed change: it says so and goes on (it still
                // answers the new member's messages if the transport delivers them).
                LOG.log(Level.WARNING, "{0}: the transport cannot add member {1} at {2}: {3}", self, id, e.getValue(),
                        ex.toString());
            }
            known.put(id, e.getValue());
        }
    }

    /** A configuration committed: peers it no longer has are removed for good (thesis §4.2.2). */
    void committed(ClusterConfig config) {
        learn(config);
        Set<NodeId> members = config.members();
        for (Iterator<NodeId> it = known.keySet().iterator(); it.hasNext(); ) {
            NodeId id = it.next();
            if (!members.contains(id)) {
                it.remove();
                transport.removePeer(id);
            }
        }
    }
}
