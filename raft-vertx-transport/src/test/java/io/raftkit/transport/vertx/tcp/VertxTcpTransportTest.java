package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportContract;
import io.raftkit.api.spi.TransportProvider;
import io.raftkit.transport.vertx.Ports;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** vertx-tcp, found through ServiceLoader, each node owning its Vertx, passes the transport contract. */
class VertxTcpTransportTest extends TransportContract {

    @Override
    protected Map<NodeId, Transport> create(List<NodeId> ids) {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(ids);
        TransportProvider provider = Plugins.transport("vertx-tcp");
        Map<NodeId, Transport> out = new LinkedHashMap<>();
        for (NodeId id : ids) {
            out.put(id, provider.create(new TransportConfig(id, addresses, Options.EMPTY, Resources.EMPTY)));
        }
        return out;
    }
}
