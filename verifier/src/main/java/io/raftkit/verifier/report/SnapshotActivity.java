package io.raftkit.verifier.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftkit.verifier.backend.ClusterBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the nodes did with snapshots during a run, read from each node's {@code /v1/status} at the
 * end (counters start with each process, so a node restarted by a kill counts only what it did
 * since; an install a node needed to come back after a kill is counted by that node). Written to
 * {@code snapshots.json} and summed in one line, so a run with {@code --snapshot-every} shows
 * whether its faults reached compaction and InstallSnapshot at all.
 */
public final class SnapshotActivity {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotActivity() {
    }

    /** Reads every node's counters; a node that does not answer is recorded as such. */
    public static ObjectNode collect(ClusterBackend cluster) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ObjectNode nodes = JSON.createObjectNode();
        for (String node : cluster.nodes()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.endpoint(node) + "/v1/status"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                JsonNode snapshots = JSON.readTree(r.body()).path("snapshots");
                if (snapshots.isObject()) {
                    nodes.set(node, snapshots);
                } else {
                    nodes.put(node, "no snapshot counters in /v1/status (HTTP " + r.statusCode() + ")");
                }
            } catch (IOException e) {
                nodes.put(node, "unreachable: " + e);
            }
        }
        return nodes;
    }

    /** Writes {@code snapshots.json} and prints the sums. */
    public static void report(ObjectNode nodes, Path dir, PrintStream out) throws IOException {
        long taken = 0;
        long sent = 0;
        long received = 0;
        for (JsonNode n : (Iterable<JsonNode>) nodes::elements) {
            taken += n.path("taken").asLong(0);
            sent += n.path("installsSent").asLong(0);
            received += n.path("installsReceived").asLong(0);
        }
        ObjectNode all = JSON.createObjectNode();
        all.put("taken", taken).put("installsSent", sent).put("installsReceived", received);
        all.set("nodes", nodes);
        Files.writeString(dir.resolve("snapshots.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
        out.printf("snapshots: %d taken, %d InstallSnapshot transfers sent, %d installed (since each node's last start; %s)%n",
                taken, sent, received, dir.resolve("snapshots.json"));
    }
}
