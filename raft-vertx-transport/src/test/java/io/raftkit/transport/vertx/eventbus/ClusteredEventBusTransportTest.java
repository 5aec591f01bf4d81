package io.raftkit.transport.vertx.eventbus;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportContract;
import io.raftkit.transport.vertx.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * vertx-eventbus across three clustered Vertx instances in one JVM, joined through the Hazelcast
 * cluster manager with TCP-IP discovery on 127.0.0.1 only (multicast off, a cluster name of its
 * own), so every message crosses the clustered bus through the codec's wire format.
 */
class ClusteredEventBusTransportTest extends TransportContract {

    private static final List<Vertx> vertices = new ArrayList<>();

    @BeforeAll
    static void startThreeClusteredVertx() throws Exception {
        System.setProperty("hazelcast.logging.type", "slf4j");
        String clusterName = "raftkit-test-" + System.nanoTime();
        int basePort = Ports.freePort();
        for (int i = 0; i < 3; i++) {
            HazelcastClusterManager manager = new HazelcastClusterManager(loopbackConfig(clusterName, basePort));
            VertxOptions options = new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
                    .setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)
                            .setClusterPublicHost("127.0.0.1"));
            vertices.add(Vertx.builder().with(options).withClusterManager(manager).buildClustered()
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
    }

    private static Config loopbackConfig(String clusterName, int basePort) {
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(basePort).setPortAutoIncrement(true).setPortCount(6);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int port = basePort; port < basePort + 6; port++) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + port);
        }
        return config;
    }

    @AfterAll
    static void stopVertx() throws Exception {
        for (Vertx v : vertices) {
            v.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    protected Map<NodeId, Transport> create(List<NodeId> ids) {
        Map<NodeId, String> addresses = new LinkedHashMap<>();
        ids.forEach(id -> addresses.put(id, id.value()));
        Options options = Options.of(Map.of("cluster-id", "t" + System.nanoTime()));
        Map<NodeId, Transport> out = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            Resources resources = Resources.EMPTY.with(Vertx.class, vertices.get(i % vertices.size()));
            out.put(ids.get(i), Plugins.transport("vertx-eventbus").create(
                    new TransportConfig(ids.get(i), addresses, options, resources)));
        }
        return out;
    }
}
