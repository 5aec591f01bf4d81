package io.raftkit.transport.vertx.tcp;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A started vertx-tcp transport with its own meter registry and inbox, for the bad-input tests. */
final class LiveNode implements AutoCloseable {

    final NodeId id;
    final Transport transport;
    final MeterRegistry registry = new SimpleMeterRegistry();
    final Collection<RaftMessage> inbox = new ConcurrentLinkedQueue<>(); // cheap adds under a fuzz storm

    LiveNode(NodeId id, Map<NodeId, String> addresses, Map<String, String> options) throws Exception {
        this(id, addresses, options, Resources.EMPTY);
    }

    /** @param lent what the host lends besides this node's meter registry */
    LiveNode(NodeId id, Map<NodeId, String> addresses, Map<String, String> options, Resources lent) throws Exception {
        this.id = id;
        this.transport = Plugins.transport("vertx-tcp").create(new TransportConfig(id, addresses,
                Options.of(options), lent.with(MeterRegistry.class, registry)));
        transport.start(inbox::add);
    }

    double counter(String name) {
        var counter = registry.find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    double counter(String name, String peer, String direction) {
        var counter = registry.find(name).tag("peer", peer).tag("direction", direction).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        transport.close();
    }
}
