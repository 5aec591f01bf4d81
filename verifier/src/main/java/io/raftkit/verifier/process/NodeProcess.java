package io.raftkit.verifier.process;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftServerBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The body of a node process's main class for {@link ProcessCluster}: one line runs a user's state
 * machine as a real node,
 *
 * <pre>{@code
 * public final class CounterNode {
 *     public static void main(String[] args) throws Exception {
 *         NodeProcess.run(args, Counter::new);
 *     }
 * }
 * }</pre>
 *
 * It reads {@link NodeArgs}, starts a {@link RaftServer} on the durable, networked parts a user
 * deploys (the {@code vertx-tcp} transport inside the {@code network-faults} transport, whose
 * loopback admin endpoint takes the nemesis's partitions and packet faults; the {@code mapdb} log
 * store, and the {@code mapdb} snapshot store when the state machine takes snapshots, in the data
 * directory), serves the verifier's clients ({@link NodeEndpoint}) and runs until the process is
 * killed. Those plugins must be on the node's class path. A main class that builds its own server
 * can use {@link #builder} and {@link NodeEndpoint#serve} instead.
 */
public final class NodeProcess {

    private NodeProcess() {
    }

    /** Runs the node until the process is killed; bad arguments end it with a message and exit status 2. */
    public static void run(String[] args, Supplier<? extends StateMachine> stateMachine) throws IOException, InterruptedException {
        NodeArgs node;
        try {
            node = NodeArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("node: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(node.dataDir());
        RaftServer server = builder(node, stateMachine.get()).build();
        server.start();
        NodeEndpoint.serve(server, node.clientPort());
        System.out.println("node " + node.id() + " serving the verifier on 127.0.0.1:" + node.clientPort());
        Thread.currentThread().join(); // the verifier ends a node with kill -9
    }

    /** A server builder for {@code node} on the real transport and stores (see the class comment). */
    public static RaftServerBuilder builder(NodeArgs node, StateMachine stateMachine) {
        Map<NodeId, String> addresses = new LinkedHashMap<>();
        for (Map.Entry<String, String> peer : node.peers().entrySet()) {
            addresses.put(NodeId.of(peer.getKey()), peer.getValue());
        }
        RaftServerBuilder b = RaftServer.builder()
                .self(NodeId.of(node.id()))
                .cluster(ClusterConfig.ofVoters(node.peers().keySet().stream().sorted().toArray(String[]::new)))
                .addresses(addresses)
                .dataDir(node.dataDir())
                .transport("network-faults", Options.of(Map.of("inner", "vertx-tcp", "admin-port", Integer.toString(node.faultsPort()))))
                .logStore("mapdb", Options.EMPTY)
                .stateMachine(stateMachine)
                .requestTimeout(Duration.ofMillis(node.requestTimeoutMillis()));
        if (stateMachine.supportsSnapshots()) {
            b.snapshotStore("mapdb", Options.EMPTY);
        }
        return b;
    }
}
