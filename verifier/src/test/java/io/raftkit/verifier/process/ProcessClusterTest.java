package io.raftkit.verifier.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.generator.CounterWorkload;
import io.raftkit.verifier.nemesis.Fault;
import io.raftkit.verifier.spi.Client;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.verification.Verification;
import io.raftkit.verifier.verification.VerificationOptions;
import io.raftkit.verifier.verification.VerificationResult;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's state machine verified as N JVM processes of a main class ({@link CounterNode}): real
 * {@code kill -9}, {@code SIGSTOP}, restarts on the data directory, partitions through the
 * {@code network-faults} transport. The verification takes 48 s on this shared 2-core machine at load
 * average 18 (three JVM starts, 12 s of faults, restarts, the check); the test that kills every node
 * (33 s more) and the same verification failing a front end that acknowledges adds before they commit
 * run with {@code -Dverifier.processes=true}.
 */
class ProcessClusterTest {

    static final class CounterClient implements Client {
        @Override
        public Completion invoke(Node node, Op op) {
            if (op.f().equals("add")) {
                return node.propose(ByteBuffer.allocate(8).putLong(op.longValue()).array());
            }
            return node.read(new byte[0]).map(sum -> ByteBuffer.wrap((byte[]) sum).getLong());
        }
    }

    private static long read(Node node) {
        Completion c = new CounterClient().invoke(node, new Op("read", null));
        assertThat(c).as(node.id() + " read").isInstanceOf(Completion.Ok.class);
        return (Long) ((Completion.Ok) c).value();
    }

    @Test
    @EnabledIfSystemProperty(named = "verifier.processes", matches = "true")
    void addsAcknowledgedBeforeEveryNodeIsKilledNineAreStillThereAfterTheRestart(@TempDir Path dir) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(CounterNode.class.getName(), 3, dir, Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            cluster.start();
            Node leader = cluster.node(cluster.leader().orElseThrow());
            long acknowledged = 0;
            for (int i = 1; i <= 5; i++) {
                Completion c = new CounterClient().invoke(leader, new Op("add", (long) i));
                assertThat(c).as("add " + i).isInstanceOf(Completion.Ok.class);
                acknowledged += i;
            }
            for (String node : cluster.nodes()) {
                cluster.kill(node);
            }
            assertThat(new CounterClient().invoke(leader, new Op("add", 100L))).as("a killed node refuses at once")
                    .isInstanceOf(Completion.Fail.class);
            for (String node : cluster.nodes()) {
                cluster.restart(node);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (cluster.leader().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(read(cluster.node(cluster.leader().orElseThrow()))).isEqualTo(acknowledged);
            assertThat(Files.readString(dir.resolve("logs").resolve("n1.log"))).contains("node n1 serving the verifier");
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "verifier.processes", matches = "true")
    void aFrontEndThatAcknowledgesBeforeCommitFailsTheSameVerificationAsProcesses(@TempDir Path dir) {
        VerificationOptions options = new VerificationOptions(3, Duration.ofSeconds(20), List.of(Fault.KILL, Fault.PARTITION, Fault.PAUSE), 3,
                3, 30, Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(30), dir);
        VerificationResult result = new Verification(options).processes(CounterNode.class)
                .client(new io.raftkit.verifier.examples.BrokenCounterVerification.AckBeforeCommitClient())
                .workload(new CounterWorkload()).run();
        assertThat(result.passed()).as(result.message()).isFalse();
        assertThat(result.message()).contains("not linearizable");
    }

    @Test
    void aCounterRunAsProcessesOfItsMainClassIsVerifiedUnderPartitionsKillsAndPauses(@TempDir Path dir) {
        VerificationOptions options = new VerificationOptions(3, Duration.ofSeconds(12), List.of(Fault.KILL, Fault.PARTITION, Fault.PAUSE), 3,
                3, 30, Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(30), dir);
        VerificationResult result = new Verification(options).processes(CounterNode.class).client(new CounterClient())
                .workload(new CounterWorkload()).run();
        assertThat(result.passed()).as(result.message()).isTrue();
        assertThat(dir.resolve("history.jsonl")).exists();
        assertThat(dir.resolve("cluster").resolve("data").resolve("n1")).isDirectory();
    }
}
