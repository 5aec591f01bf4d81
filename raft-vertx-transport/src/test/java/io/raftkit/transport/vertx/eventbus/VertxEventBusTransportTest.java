package io.raftkit.transport.vertx.eventbus;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportContract;
import io.raftkit.api.spi.TransportProvider;
import io.vertx.core.Vertx;
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
    void refusesToBeCreatedWithoutAVertxNamingWhatIsMissing() {
        TransportConfig config = new TransportConfig(A, Map.of(A, "a", B, "b"), Options.EMPTY, Resources.EMPTY);
        assertThatThrownBy(() -> Plugins.transport("vertx-eventbus").create(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Resources.with(Vertx.class");
    }
}
