package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.backend.LocalBackend;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.backend.PacketFaults;
import io.raftkit.verifier.client.KvHttpClient;
import io.raftkit.verifier.client.KvResult;
import io.raftkit.verifier.client.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition cuts what a real one cuts: a follower cut off from the leader must not serve through
 * it. On main the cut covered Raft messages only, and the follower forwarded client requests over
 * HTTP straight through the partition, so a minority kept serving.
 */
class PartitionTest {

    @TempDir
    Path dir;

    @Test
    void aFollowerCutOffFromTheLeaderRefusesInsteadOfForwardingThroughThePartition() throws Exception {
        try (LocalBackend cluster = new LocalBackend(KvJar.path(), dir, 3)) {
            cluster.start();
            String leader = cluster.awaitLeader(Duration.ofSeconds(30));
            String follower = cluster.nodes().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
            KvHttpClient client = new KvHttpClient(Duration.ofSeconds(3));
            KvResult before = null;
            for (int i = 0; i < 40 && (before == null || before.outcome() != Outcome.OK); i++) {
                before = client.write(cluster.endpoint(follower), "k", "0"); // forwarded while the network is whole
                Thread.sleep(before.outcome() == Outcome.OK ? 0 : 250);
            }
            assertThat(before.outcome()).as("forwarding works before the cut: " + before.error()).isEqualTo(Outcome.OK);

            Set<String> others = new HashSet<>(cluster.nodes());
            others.remove(follower);
            Map<String, Set<String>> cut = new HashMap<>();
            cut.put(follower, others);
            others.forEach(o -> cut.put(o, Set.of(follower)));
            cluster.network(new NetworkState(cut, Map.of(), PacketFaults.NONE));

            // At once, while the follower still knows who leads (an election timeout is 0.5 to 1 s).
            KvResult write = client.write(cluster.endpoint(follower), "k", "1");
            KvResult read = client.read(cluster.endpoint(follower), "k", false);
            assertThat(write.outcome()).as("the write is refused, certainly not applied: " + write.error()).isEqualTo(Outcome.FAIL);
            assertThat(write.status()).isEqualTo(503);
            assertThat(read.outcome()).as("the read is refused: " + read.error()).isEqualTo(Outcome.FAIL);
            assertThat(client.write(cluster.endpoint(leader), "k", "2").outcome()).as("the majority side serves").isEqualTo(Outcome.OK);

            cluster.network(NetworkState.HEALED);
            KvResult healed = null;
            for (int i = 0; i < 40 && (healed == null || healed.outcome() != Outcome.OK); i++) {
                healed = client.read(cluster.endpoint(follower), "k", false);
                Thread.sleep(healed.outcome() == Outcome.OK ? 0 : 250);
            }
            assertThat(healed.value()).as("forwarding again after the heal").isEqualTo("2");
        }
    }
}
