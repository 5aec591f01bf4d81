package io.raftkit.core.memory;

import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportContract;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

class MemoryTransportTest extends TransportContract {

    @Override
    protected Map<NodeId, Transport> create(List<NodeId> ids) {
        MemoryNetwork network = new MemoryNetwork("contract");
        Map<NodeId, Transport> transports = new TreeMap<>();
        for (NodeId id : ids) {
            transports.put(id, new MemoryTransport(id, network));
        }
        return transports;
    }
}
