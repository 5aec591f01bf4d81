package io.raftkit.verifier.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.KeyResult;
import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.runner.Recorded;
import io.raftkit.verifier.runner.RunOptions;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.spi.Model;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes everything a run leaves in its output directory, and the summary on stdout. */
public final class Report {

    private Report() {
    }

    /**
     * @param recoveryFailure why the cluster did not serve after the final heal, or null
     * @param resent          indeterminate writes resent after the final heal: took effect only at the resend,
     *                        had taken effect before it, undecided
     */
    public static void write(Path dir, RunOptions options, Model<?> model, List<Recorded> events, CheckResult result,
                             String recoveryFailure, int[] resent, Map<String, Object> cluster, PrintStream out) throws IOException {
        Files.createDirectories(dir);
        HistoryWriter.writeJsonl(events, dir.resolve("history.jsonl"));
        HistoryWriter.writeEdn(events, dir.resolve("history.edn"));
        long failing = failingIndex(result);
        String title = result.verdict().word() + " " + result.explain()
                + (recoveryFailure == null ? "" : "; NOT RECOVERED: " + recoveryFailure);
        Files.writeString(dir.resolve("timeline.html"), Timeline.html(events, title, failing, result.worst()));
        try {
            Plots.write(events, dir);
        } catch (IOException | RuntimeException e) {
            out.println("warning: could not draw latency.png/rate.png: " + e);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("valid", result.verdict().word());
        results.put("explanation", result.explain());
        results.put("checkMillis", result.millis());
        results.put("recovered", recoveryFailure == null);
        if (recoveryFailure != null) {
            results.put("recoveryFailure", recoveryFailure);
        }
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("nodes", options.nodes());
        given.put("timeLimitSeconds", options.timeLimit().toSeconds());
        given.put("concurrency", options.concurrency());
        given.put("keys", options.keys());
        given.put("workload", options.workload());
        given.put("nemesis", options.faults().toString());
        given.put("seed", options.seed());
        given.put("opsPerKey", options.opsPerKey());
        given.put("plantedBug", options.plantedBug().word());
        given.put("faultSeconds", options.faultInterval().toSeconds());
        given.put("quietSeconds", options.quietPeriod().toSeconds());
        given.put("recoverySeconds", options.recoveryTimeout().toSeconds());
        results.put("options", given);
        // The model and initial value the run checked with: `check` needs the same to agree.
        Object initialValue = Checker.initialValue(model);
        String initial = initialValue == null ? "nil" : "\"" + initialValue + "\"";
        String recheck = "raft-verifier check --model " + model.name() + " --initial '" + initial + "' "
                + dir.resolve("history.jsonl");
        results.put("model", model.name());
        results.put("initial", initial);
        results.put("recheck", recheck);
        results.put("cluster", cluster);
        long ok = events.stream().filter(e -> e.type().equals("ok")).count();
        long fail = events.stream().filter(e -> e.type().equals("fail")).count();
        long info = events.stream().filter(e -> e.type().equals("info") && e.process() instanceof Integer).count();
        List<FaultInterval> faults = Timeline.faults(events, events.isEmpty() ? 0 : events.get(events.size() - 1).timeNanos());
        results.put("counts", Map.of("ok", ok, "fail", fail, "info", info));
        WriteYield writes = WriteYield.of(events);
        results.put("writes", Map.of("attempted", writes.attempted(), "applied", writes.applied()));
        String yieldWarning = writes.warning();
        if (yieldWarning != null) {
            results.put("warning", yieldWarning);
        }
        results.put("resentAfterHeal", Map.of("tookEffectAtResend", resent[0], "hadTakenEffectBefore", resent[1],
                "undecided", resent[2]));
        results.put("faults", faults.stream().map(f -> Map.of("start", f.startNanos() / 1e9, "end", f.endNanos() / 1e9,
                "fault", f.description())).toList());
        results.put("keys", result.keys().stream().map(k -> Map.of("key", String.valueOf(k.key()), "valid", k.verdict().word(),
                "detail", k.detail())).toList());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("results.json").toFile(), results);
        out.printf("%n== summary ==%nhistory: %d events (ok %d, fail %d, info %d; %d faults; %d indeterminate writes resent after"
                        + " the heal: %d took effect only then, %d had before, %d undecided)%nverdict: %s (checked in %d ms)%n%sreport:  %s%n"
                        + "re-check: %s%n",
                events.size(), ok, fail, info, faults.size(), resent[0] + resent[1] + resent[2], resent[0], resent[1], resent[2],
                (result.verdict().word() + " " + result.explain()).strip(), result.millis(),
                recoveryFailure == null ? "" : "recovery: FAILED: " + recoveryFailure + "\n", dir.resolve("timeline.html"), recheck);
        if (yieldWarning != null) {
            out.println(yieldWarning);
        }
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
