package io.raftkit.verifier.cli;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.checker.ListAppendChecker;
import io.raftkit.verifier.checker.ListAppendResult;
import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.report.SnapshotActivity;
import io.raftkit.verifier.runner.History;
import io.raftkit.verifier.runner.ListAppendRunner;
import io.raftkit.verifier.runner.RunOptions;
import io.raftkit.verifier.workload.ListAppendWorkload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run --workload list-append}: runs {@link ListAppendRunner}, writes {@code history.jsonl}
 * and {@code history.edn} (and {@code snapshots.json}, as for the other workloads), checks the history with {@link ListAppendChecker} and writes its findings
 * to {@code list-append.txt}. Exit codes as for the other workloads: 0 valid, 1 an anomaly, 2
 * unknown (no transaction committed), 3 valid but the cluster did not serve again after the heal.
 */
final class ListAppendRun {

    private ListAppendRun() {
    }

    static int runAndCheck(ClusterBackend cluster, RunOptions options, ListAppendWorkload workload, Path out)
            throws IOException, InterruptedException {
        cluster.start();
        System.out.println("cluster up; leader " + cluster.leader().orElse("unknown"));
        ListAppendRunner runner = new ListAppendRunner(cluster, options, workload, System.out);
        History history = runner.run();
        SnapshotActivity.report(SnapshotActivity.collect(cluster), out, System.out);
        Path jsonl = out.resolve("history.jsonl");
        HistoryWriter.writeJsonl(history.events(), jsonl);
        HistoryWriter.writeEdn(history.events(), out.resolve("history.edn"));
        ListAppendResult result = new ListAppendChecker().check(jsonl);
        List<String> lines = new ArrayList<>();
        lines.add("list-append: " + result.verdict() + " (" + result.detail().get("transactions") + ", "
                + result.detail().get("edges") + " edges, checked in " + result.millis() + " ms)");
        if (!result.anomalyClasses().isEmpty()) {
            lines.add("anomalies: " + String.join(", ", result.anomalyClasses()));
        }
        lines.addAll(result.explain());
        if (runner.recoveryFailure() != null) {
            lines.add("NOT RECOVERED: " + runner.recoveryFailure());
        }
        Files.write(out.resolve("list-append.txt"), lines, StandardCharsets.UTF_8);
        lines.forEach(System.out::println);
        return switch (result.verdict()) {
            case VALID -> runner.recoveryFailure() == null ? 0 : 3;
            case INVALID -> 1;
            case UNKNOWN -> 2;
        };
    }
}
