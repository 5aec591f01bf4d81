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

/** Three in-JVM KV nodes (memory plugins) with their HTTP APIs on loopback, for HTTP and client tests. */
public final class HttpKvNodes implements AutoCloseable {

    public final MemoryKvCluster cluster;
    public final Vertx vertx = Vertx.vertx();
    public final Map<NodeId, KvHttpServer> servers = new TreeMap<>();
    public final Map<NodeId, String> urls = new TreeMap<>();

    public HttpKvNodes(long seed, HttpLimits limits) throws Exception {
        cluster = new MemoryKvCluster(3, seed);
        for (RaftServer s : cluster.servers) {
            try (ServerSocket socket = new ServerSocket(0)) {
                urls.put(s.id(), "http://127.0.0.1:" + socket.getLocalPort());
            }
        }
        for (RaftServer s : cluster.servers) {
            KvHttpServer server = new KvHttpServer(vertx, s, cluster.stateMachineOf(s), SessionPolicy.DEFAULT, urls, limits,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            server.listen("127.0.0.1", URI.create(urls.get(s.id())).getPort()).await();
            servers.put(s.id(), server);
        }
        cluster.awaitLeader();
    }

    public List<String> endpoints() {
        return new ArrayList<>(urls.values());
    }

    public String url(RaftServer server) {
        return urls.get(server.id());
    }

    public String leaderUrl() throws InterruptedException {
        return url(cluster.awaitLeader());
    }

    public String followerUrl() throws InterruptedException {
        RaftServer leader = cluster.awaitLeader();
        return url(cluster.servers.stream().filter(s -> s != leader).findFirst().orElseThrow());
    }

    /** Takes a node down: its HTTP API first, then its Raft server. */
    public void stop(RaftServer server) {
        servers.get(server.id()).close();
        server.close();
    }

    @Override
    public void close() {
        servers.values().forEach(KvHttpServer::close);
        cluster.close();
        vertx.close().await();
    }
}
