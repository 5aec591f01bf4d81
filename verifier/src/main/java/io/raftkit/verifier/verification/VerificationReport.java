package io.raftkit.verifier.verification;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.KeyResult;
import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.report.FaultInterval;
import io.raftkit.verifier.report.Timeline;
import io.raftkit.verifier.runner.Recorded;
import io.raftkit.verifier.spi.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verification's report directory: {@code history.jsonl} and {@code history.edn} (what was
 * checked), {@code timeline.html} (operations per process over time, fault bands, the failing
 * operation marked) and {@code results.json} (verdict, explanation, options, counts, faults).
 */
final class VerificationReport {

    private VerificationReport() {
    }

    static void writeHistory(List<Recorded> events, Path dir) throws IOException {
        Files.createDirectories(dir);
        HistoryWriter.writeJsonl(events, dir.resolve("history.jsonl"));
        HistoryWriter.writeEdn(events, dir.resolve("history.edn"));
    }

    static VerificationResult write(VerificationOptions options, Workload workload, List<Recorded> events, CheckResult result,
                                    String recoveryFailure) throws IOException {
        Path dir = options.report();
        long ok = events.stream().filter(e -> e.type().equals("ok")).count();
        long fail = events.stream().filter(e -> e.type().equals("fail")).count();
        long info = events.stream().filter(e -> e.type().equals("info") && e.process() instanceof Integer).count();
        VerificationResult verdict = new VerificationResult(result, recoveryFailure, dir.toAbsolutePath(), ok, fail, info);
        String title = verdict.message();
        Files.writeString(dir.resolve("timeline.html"), Timeline.html(events, title, failingIndex(result), result.worst()));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("valid", result.verdict().word());
        results.put("explanation", result.explain());
        results.put("recovered", recoveryFailure == null);
        if (recoveryFailure != null) {
            results.put("recoveryFailure", recoveryFailure);
        }
        results.put("checkMillis", result.millis());
        results.put("workload", workload.name());
        results.put("model", workload.model().name());
        results.put("recheck", "raft-verifier check --model " + workload.model().name() + " " + dir.resolve("history.jsonl")
                + " (the model's class on the class path)");
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("nodes", options.nodes());
        given.put("seconds", options.time().toSeconds());
        given.put("nemesis", options.faults().toString());
        given.put("seed", options.seed());
        given.put("concurrency", options.concurrency());
        given.put("faultIntervalMillis", options.faultInterval().toMillis());
        given.put("requestTimeoutMillis", options.requestTimeout().toMillis());
        results.put("options", given);
        results.put("counts", Map.of("ok", ok, "fail", fail, "info", info));
        List<FaultInterval> faults = Timeline.faults(events, events.isEmpty() ? 0 : events.get(events.size() - 1).timeNanos());
        results.put("faults", faults.stream().map(f -> Map.of("start", f.startNanos() / 1e9, "end", f.endNanos() / 1e9,
                "fault", f.description())).toList());
        KeyResult worst = result.worst();
        if (worst != null) {
            results.put("detail", worst.detail());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("results.json").toFile(), results);
        return verdict;
    }

    @SuppressWarnings("unchecked")
    private static long failingIndex(CheckResult result) {
        KeyResult worst = result.worst();
        if (worst == null || !(worst.detail().get("op") instanceof Map<?, ?> op)) {
            return -1;
        }
        Object pos = ((Map<String, Object>) op).get("complete-position");
        return pos instanceof Number n ? n.longValue() : -1;
    }
}
