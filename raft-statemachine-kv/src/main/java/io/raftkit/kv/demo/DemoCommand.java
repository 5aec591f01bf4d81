package io.raftkit.kv.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raft-kv demo}: a local cluster of separate processes, running until Ctrl-C, which stops
 * every node cleanly (SIGTERM through a shutdown hook). Restarting a node by hand: run the
 * {@code command} that cluster.json lists for it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Starts a local cluster on loopback until Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--nodes", defaultValue = "3", description = "how many nodes (default 3)")
    int nodes;

    @Option(names = "--base-dir", defaultValue = "demo-cluster", description = "data directories, logs and cluster.json (default ./demo-cluster)")
    Path baseDir;

    @Option(names = "--raft-port", defaultValue = "7001", description = "first Raft port (default 7001)")
    int raftPort;

    @Option(names = "--http-port", defaultValue = "8001", description = "first HTTP port (default 8001)")
    int httpPort;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 9) {
            System.err.println("raft-kv demo: --nodes must be 1 to 9, was " + nodes);
            return 2;
        }
        int[] raftPorts = new int[nodes];
        int[] httpPorts = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            raftPorts[i] = raftPort + i;
            httpPorts[i] = httpPort + i;
        }
        Files.createDirectories(baseDir);
        LocalCluster cluster = new LocalCluster(baseDir, raftPorts, httpPorts, List.of("-Xmx512m"), List.of());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping " + nodes + " nodes...");
            try {
                cluster.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "raft-kv-demo-stop"));
        cluster.startAll();
        System.out.println("raft-kv demo: starting " + nodes + " nodes, waiting for a stable leader...");
        int leader = cluster.awaitStableLeader(Duration.ofSeconds(60), Duration.ofSeconds(2));
        Path clusterJson = baseDir.resolve("cluster.json").toAbsolutePath();
        Files.writeString(clusterJson, cluster.describe().encodePrettily());
        String first = cluster.nodes().get(0).http();
        System.out.println("raft-kv demo: " + nodes + " nodes, leader " + cluster.nodes().get(leader).id());
        for (LocalCluster.Node node : cluster.nodes()) {
            System.out.println("  " + node.id() + "  " + node.http() + "  raft " + node.raft() + "  data " + node.dataDir());
        }
        System.out.println("cluster description: " + clusterJson);
        System.out.println("try:");
        System.out.println("  curl -s -X PUT " + first + "/v1/kv/hello -H 'Content-Type: application/json' -d '{\"value\":\"world\"}'");
        System.out.println("  curl -s " + first + "/v1/kv/hello");
        System.out.println("  curl -s -X POST " + first + "/v1/kv/hello/cas -H 'Content-Type: application/json' -d '{\"expected\":\"world\",\"value\":\"raft\"}'");
        System.out.println("Ctrl-C stops every node.");
        stopped.await();
        return 0;
    }
}
