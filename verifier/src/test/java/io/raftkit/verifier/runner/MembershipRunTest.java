package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftkit.verifier.backend.LocalBackend;
import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.checker.Verdict;
import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.nemesis.Fault;
import io.raftkit.verifier.nemesis.MembershipPlan;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The membership nemesis against three real KV processes under client load: a node removed, wiped
 * and joining again empty, then a replacement under a fresh id. The history must stay
 * linearizable, a change must complete, and the final heal must leave every slot's node a voter.
 */
class MembershipRunTest {

    @TempDir
    Path dir;

    @Test
    void aNodeRemovedWipedAndRejoinedUnderLoadLeavesTheHistoryLinearizableAndTheMembershipWhole() throws Exception {
        RunOptions options = new RunOptions(3, Duration.ofSeconds(20), 3, 2, 1000, "register", List.of(Fault.MEMBERSHIP), 17, dir,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2), PlantedBug.NONE, Duration.ofSeconds(30),
                new MembershipPlan(List.of("rejoin", "replace"), Duration.ofSeconds(25)));
        try (LocalBackend cluster = new LocalBackend(KvJar.path(), dir, 3)) {
            cluster.start();
            Runner runner = KvRunners.register(cluster, options, 2, new PrintStream(OutputStream.nullOutputStream()));
            History history = runner.run();

            assertThat(runner.recoveryFailure()).isNull();
            JsonNode membership = new ObjectMapper().readTree(dir.resolve("membership.json").toFile());
            assertThat(membership.path("done").asInt()).as(membership.toString()).isGreaterThanOrEqualTo(1);
            assertThat(membership.path("changes").get(0).asText()).contains("membership rejoin").endsWith(": done");
            assertThat(membership.path("restored").asBoolean()).isTrue();
            assertThat(history.events()).anyMatch(e -> e.type().equals("ok") && e.f().equals("write"));

            Path jsonl = dir.resolve("history.jsonl");
            HistoryWriter.writeJsonl(history.events(), jsonl);
            CheckResult check = Checker.forModel(new io.raftkit.verifier.kv.KvRegisterWorkload().model(), Duration.ofSeconds(60)).check(HistoryFiles.read(jsonl));
            assertThat(check.verdict()).as(check.explain()).isEqualTo(Verdict.VALID);
        }
    }
}
