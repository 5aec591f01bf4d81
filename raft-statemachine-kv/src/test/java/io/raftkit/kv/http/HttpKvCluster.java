package io.raftkit.kv.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftkit.api.NodeId;
import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.MemoryKvCluster;
import io.raftkit.kv.SessionPolicy;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** In-JVM nodes (memory plugins), each behind its own KvHttpServer on a loopback port. */
final class HttpKvCluster implements AutoCloseable {

    final MemoryKvCluster cluster;
    /** Each node's base URL. */
    final Map<NodeId, String> urls = new TreeMap<>();
    private final Vertx vertx = Vertx.vertx();
    private final List<KvHttpServer> servers = new ArrayList<>();

    HttpKvCluster(int nodes, long seed, HttpLimits limits) throws Exception {
        cluster = new MemoryKvCluster(nodes, seed);
        for (RaftServer s : cluster.servers) {
            try (ServerSocket socket = new ServerSocket(0)) {
                urls.put(s.id(), "http://127.0.0.1:" + socket.getLocalPort());
            }
        }
        for (RaftServer s : cluster.servers) {
            KvHttpServer server = new KvHttpServer(vertx, s, cluster.stateMachineOf(s), SessionPolicy.DEFAULT, urls, limits,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            server.listen("127.0.0.1", URI.create(urls.get(s.id())).getPort()).await();
            servers.add(server);
        }
        cluster.awaitLeader();
    }

    String leaderUrl() throws InterruptedException {
        return urls.get(cluster.awaitLeader().id());
    }

    String followerUrl() throws InterruptedException {
        RaftServer leader = cluster.awaitLeader();
        return urls.get(cluster.servers.stream().filter(s -> s != leader).findFirst().orElseThrow().id());
    }

    @Override
    public void close() {
        servers.forEach(KvHttpServer::close);
        cluster.close();
        vertx.close().await();
    }
}
