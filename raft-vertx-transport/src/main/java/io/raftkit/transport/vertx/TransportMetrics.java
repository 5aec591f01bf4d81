package io.raftkit.transport.vertx;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Resources;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer counters of one transport, tagged with the transport's name, this node and the peer:
 * {@code raftkit.transport.messages} and {@code raftkit.transport.bytes} with
 * {@code direction=sent|received|dropped}, {@code raftkit.transport.reconnects},
 * {@code raftkit.transport.decode.errors}, {@code raftkit.transport.connections.refused} and
 * {@code raftkit.transport.inbound.pauses}.
 * The registry comes from {@link Resources} when the host lends one, else a private one.
 */
public final class TransportMetrics {

    /** Counters for one peer and direction, cached so the send path does no map lookups by tags. */
    public record Flow(Counter messages, Counter bytes) {
        public void record(long byteCount) {
            messages.increment();
            bytes.increment(byteCount);
        }

        public void record(long messageCount, long byteCount) {
            messages.increment(messageCount);
            bytes.increment(byteCount);
        }
    }

    private final MeterRegistry registry;
    private final String transport;
    private final String node;
    private final Map<String, Flow> flows = new ConcurrentHashMap<>();
    private final Map<NodeId, Counter> reconnects = new ConcurrentHashMap<>();
    private final Counter decodeErrors;
    private final Counter refusedConnections;
    private final Counter inboundPauses;

    public TransportMetrics(Resources resources, String transport, NodeId self) {
        this.registry = resources.get(MeterRegistry.class).orElseGet(SimpleMeterRegistry::new);
        this.transport = transport;
        this.node = self.value();
        this.decodeErrors = Counter.builder("raftkit.transport.decode.errors")
                .description("connections closed or messages discarded because their bytes were malformed")
                .tags("transport", transport, "node", node).register(registry);
        this.refusedConnections = Counter.builder("raftkit.transport.connections.refused")
                .description("connections refused or closed before their handshake completed: another cluster,"
                        + " not a member, no or a wrong credential, or made to give way to newer connections")
                .tags("transport", transport, "node", node).register(registry);
        this.inboundPauses = Counter.builder("raftkit.transport.inbound.pauses")
                .description("times a connection stopped being read because the node was behind")
                .tags("transport", transport, "node", node).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public Flow sent(NodeId peer) {
        return flow("sent", peer);
    }

    public Flow received(NodeId peer) {
        return flow("received", peer);
    }

    public Flow dropped(NodeId peer) {
        return flow("dropped", peer);
    }

    public void reconnect(NodeId peer) {
        reconnects.computeIfAbsent(peer, p -> Counter.builder("raftkit.transport.reconnects")
                .description("connection attempts to a peer after the first")
                .tags("transport", transport, "node", node, "peer", p.value()).register(registry)).increment();
    }

    public void decodeError() {
        decodeErrors.increment();
    }

    public void refusedConnection() {
        refusedConnections.increment();
    }

    public void inboundPause() {
        inboundPauses.increment();
    }

    private Flow flow(String direction, NodeId peer) {
        return flows.computeIfAbsent(direction + "/" + peer.value(), k -> new Flow(
                Counter.builder("raftkit.transport.messages")
                        .tags("transport", transport, "node", node, "peer", peer.value(), "direction", direction)
                        .register(registry),
                Counter.builder("raftkit.transport.bytes")
                        .tags("transport", transport, "node", node, "peer", peer.value(), "direction", direction)
                        .register(registry)));
    }
}
