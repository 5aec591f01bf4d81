package io.raftkit.transport.vertx.eventbus;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.transport.vertx.TransportMetrics;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code vertx-eventbus} transport: each node consumes one address,
 * {@code <address-prefix>.<cluster-id>.<nodeId>} ({@code raftkit.default.n1} by default), on the
 * event bus of the Vertx the host lends through Resources, local or clustered. Point-to-point
 * {@code send}: the bus delivers to one consumer and drops messages for addresses nobody consumes,
 * which Raft tolerates. Options: {@code address-prefix}, {@code cluster-id}. The
 * {@code addresses} of the config only name the members; their values are not used.
 */
public final class VertxEventBusTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger(VertxEventBusTransport.class);

    private final NodeId self;
    private final Set<NodeId> members;
    private final Vertx vertx;
    private final String prefix;
    private final TransportMetrics metrics;
    private final DeliveryOptions delivery = new DeliveryOptions().setCodecName(RaftMessageBusCodec.NAME);
    private volatile boolean closed;
    private volatile boolean started;
    private MessageConsumer<RaftMessage> consumer;

    VertxEventBusTransport(TransportConfig config) {
        this.self = config.self();
        this.members = java.util.concurrent.ConcurrentHashMap.newKeySet();
        this.members.addAll(config.addresses().keySet());
        if (!members.contains(self)) {
            throw new IllegalArgumentException("vertx-eventbus: this node " + self + " is not among the members " + members);
        }
        this.vertx = config.resources().get(Vertx.class).orElseThrow(() -> new IllegalArgumentException(
                "vertx-eventbus needs the host's Vertx instance: lend it with Resources.with(Vertx.class, vertx)"));
        config.options().requireOnly("vertx-eventbus", java.util.Set.of("cluster-id", "address-prefix"));
        String clusterId = config.options().string("cluster-id", "default");
        String addressPrefix = config.options().string("address-prefix", "raftkit");
        if (clusterId.isBlank() || addressPrefix.isBlank()) {
            throw new IllegalArgumentException("vertx-eventbus: options cluster-id and address-prefix must not be blank");
        }
        this.prefix = addressPrefix + "." + clusterId + ".";
        this.metrics = new TransportMetrics(config.resources(), VertxEventBusTransportProvider.NAME, self);
    }

    /** The event-bus address a member consumes. */
    public String addressOf(NodeId node) {
        return prefix + node.value();
    }

    public TransportMetrics metrics() {
        return metrics;
    }

    @Override
    public synchronized void start(Consumer<RaftMessage> inbound) throws IOException {
        if (closed) {
            throw new IOException("transport of " + self + " is closed");
        }
        EventBus bus = vertx.eventBus();
        registerCodecOnce(bus);
        consumer = bus.consumer(addressOf(self), message -> receive(message, inbound));
        try {
            // On a clustered bus the registration must reach the cluster before peers can send here.
            consumer.completion().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("vertx-eventbus of " + self + " could not register " + addressOf(self) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while registering " + addressOf(self), e);
        }
        started = true;
    }

    private static void registerCodecOnce(EventBus bus) {
        synchronized (VertxEventBusTransport.class) {
            try {
                bus.registerCodec(new RaftMessageBusCodec());
            } catch (IllegalStateException alreadyRegistered) {
                // Another node on this Vertx registered it: one codec serves them all.
            }
        }
    }

    private void receive(Message<RaftMessage> message, Consumer<RaftMessage> inbound) {
        RaftMessage m = message.body();
        if (closed) {
            return;
        }
        if (!m.to().equals(self) || !members.contains(m.from())) {
            metrics.decodeError();
            log.warn("vertx-eventbus of {} discarded a message from {} to {} on {}", self, m.from(), m.to(), addressOf(self));
            return;
        }
        metrics.received(m.from()).record(RaftMessageCodec.frameSize(m));
        inbound.accept(m);
    }

    /** The bus routes by id: a member added at run time is only admitted and sent to from now on. */
    @Override
    public void addPeer(NodeId id, String address) {
        members.add(id);
    }

    @Override
    public void removePeer(NodeId id) {
        if (!id.equals(self)) {
            members.remove(id);
        }
    }

    @Override
    public void send(RaftMessage message) {
        try {
            if (closed || !started || !members.contains(message.to())) {
                metrics.dropped(message.to()).record(RaftMessageCodec.frameSize(message));
                return;
            }
            vertx.eventBus().send(addressOf(message.to()), message, delivery);
            metrics.sent(message.to()).record(RaftMessageCodec.frameSize(message));
        } catch (RuntimeException e) {
            log.error("vertx-eventbus of {} dropped {} on an unexpected error", self, message, e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (consumer != null) {
            try {
                consumer.unregister().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("vertx-eventbus of {} did not unregister cleanly: {}", self, e.toString());
            }
        }
    }
}
