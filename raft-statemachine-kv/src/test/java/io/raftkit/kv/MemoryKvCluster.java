package io.raftkit.kv;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Resources;
import io.raftkit.core.Role;
import io.raftkit.core.memory.MemoryNetwork;
import io.raftkit.core.server.RaftServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** N RaftServers with the kv state machine on the memory plugins, in this JVM. */
public final class MemoryKvCluster implements AutoCloseable {

    public final List<RaftServer> servers = new ArrayList<>();
    public final List<KvStateMachine> stateMachines = new ArrayList<>();

    public MemoryKvCluster(int n, long seed) throws IOException {
        this(n, seed, Runtime.getRuntime().maxMemory());
    }

    /** @param maxHeapBytes the heap each server's memory guard counts on */
    public MemoryKvCluster(int n, long seed, long maxHeapBytes) throws IOException {
        MemoryNetwork network = new MemoryNetwork("kv-" + seed + "-" + System.nanoTime());
        List<NodeId> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add(NodeId.of("n" + i));
        }
        Map<NodeId, String> addresses = new TreeMap<>();
        ids.forEach(id -> addresses.put(id, id.value()));
        for (int i = 0; i < n; i++) {
            KvStateMachine kv = new KvStateMachine();
            stateMachines.add(kv);
            servers.add(RaftServer.builder()
                    .self(ids.get(i))
                    .cluster(ClusterConfig.ofVoters(ids))
                    .addresses(addresses)
                    .config(RaftConfig.defaults())
                    .transport("memory", Options.EMPTY)
                    .logStore("memory", Options.EMPTY)
                    .stateMachine(kv)
                    .maxHeapBytes(maxHeapBytes)
                    .resources(Resources.EMPTY.with(MemoryNetwork.class, network))
                    .random(new SplittableRandom(seed + i))
                    .requestTimeout(Duration.ofSeconds(3))
                    .build());
        }
        for (RaftServer s : servers) {
            s.start();
        }
    }

    public KvStateMachine stateMachineOf(RaftServer server) {
        return stateMachines.get(servers.indexOf(server));
    }

    public RaftServer awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers) {
                if (s.status().running() && s.status().role() == Role.LEADER) {
                    return s;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no leader within 10 s");
    }

    public RaftServer awaitLeaderOtherThan(RaftServer old) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            RaftServer leader = awaitLeader();
            if (leader != old) {
                return leader;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("leadership did not move from " + old.id());
    }

    @Override
    public void close() {
        servers.forEach(RaftServer::close);
    }
}
