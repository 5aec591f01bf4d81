package io.raftkit.transport.vertx.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportContract;
import io.raftkit.api.spi.TransportProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** vertx-eventbus with many nodes on one local Vertx passes the transport contract. */
class VertxEventBusTransportTest extends TransportContract {

    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    protected Map<NodeId, Transport> create(List<NodeId> ids) {
        Map<NodeId, String> addresses = new LinkedHashMap<>();
        ids.forEach(id -> addresses.put(id, id.value()));
        TransportProvider provider = Plugins.transport("vertx-eventbus");
        // A cluster id per test keeps one test's late messages out of the next test's inboxes.
        Options options = Options.of(Map.of("cluster-id", "t" + System.nanoTime()));
        Map<NodeId, Transport> out = new LinkedHashMap<>();
        for (NodeId id : ids) {
            out.put(id, provider.create(new TransportConfig(id, addresses, options,
                    Resources.EMPTY.with(Vertx.class, vertx))));
        }
        return out;
    }

    @Test
    void countsMessagesAndBytesPerPeerAndDropsToNonMembers() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Map<NodeId, String> addresses = Map.of(A, "a", B, "b");
        Options options = Options.of(Map.of("cluster-id", "metrics" + System.nanoTime()));
        Resources resources = Resources.EMPTY.with(Vertx.class, vertx).with(MeterRegistry.class, registry);
        Transport a = Plugins.transport("vertx-eventbus").create(new TransportConfig(A, addresses, options, resources));
        Transport b = Plugins.transport("vertx-eventbus").create(new TransportConfig(B, addresses, options, resources));
        List<RaftMessage> inbox = new CopyOnWriteArrayList<>();
        a.start(m -> { });
        b.start(inbox::add);
        try {
            TimeoutNow m = new TimeoutNow(A, B, 1);
            a.send(m);
            a.send(m);
            a.send(new TimeoutNow(A, C, 1)); // c is not a member of this two-node cluster
            assertThat(Await.until(Duration.ofSeconds(5), () -> inbox.size() == 2)).isTrue();
            double frame = RaftMessageCodec.frameSize(m);
            assertThat(count(registry, "raftkit.transport.messages", "a", "b", "sent")).isEqualTo(2);
            assertThat(count(registry, "raftkit.transport.bytes", "a", "b", "sent")).isEqualTo(2 * frame);
            assertThat(count(registry, "raftkit.transport.messages", "b", "a", "received")).isEqualTo(2);
            assertThat(count(registry, "raftkit.transport.messages", "a", "c", "dropped")).isEqualTo(1);
        } finally {
            a.close();
            b.close();
        }
    }

    private static double count(MeterRegistry registry, String name, String node, String peer, String direction) {
        return registry.get(name).tag("node", node).tag("peer", peer).tag("direction", direction).counter().count();
    }

    @Test
    void refusesToBeCreatedWithoutAVertxNamingWhatIsMissing() {
        TransportConfig config = new TransportConfig(A, Map.of(A, "a", B, "b"), Options.EMPTY, Resources.EMPTY);
        assertThatThrownBy(() -> Plugins.transport("vertx-eventbus").create(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Resources.with(Vertx.class");
    }
}
