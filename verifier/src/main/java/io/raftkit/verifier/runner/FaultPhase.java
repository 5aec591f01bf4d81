package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftkit.verifier.nemesis.Fault;
import io.raftkit.verifier.nemesis.Nemesis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * The part of a run every workload shares: {@code --concurrency} client threads against the
 * nemesis's schedule for {@code --time-limit}, progress every 5 s, then a full heal, the clients
 * stopped and joined (with the membership nemesis, the full membership restored first: see
 * {@code membership.json}). What follows (final reads, resends, the check) is the workload's own.
 */
final class FaultPhase {

    private FaultPhase() {
    }

    /**
     * @param clientLoop runs one client, given its first history process, until {@code stop} is set
     * @param stop       set here once the faults are healed
     * @return why the final heal could not restore the full membership, or null
     */
    static String run(ClusterBackend cluster, RunOptions options, History history, PrintStream progress, String threadName,
                    IntConsumer clientLoop, AtomicBoolean stop) throws IOException, InterruptedException {
        Nemesis nemesis = new Nemesis(cluster, options.faults(), options.seed() ^ 0x5DEECE66DL, options.faultInterval(),
                (f, description) -> {
                    history.add("nemesis", "info", f, null, description, null);
                    if (f.equals("membership")) {
                        progress.printf(Locale.ROOT, "[%5.1fs] %s%n", history.elapsedNanos() / 1e9, description);
                    }
                }, options.membership());
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < options.concurrency(); i++) {
            int first = i;
            Thread t = new Thread(() -> clientLoop.accept(first), threadName + i);
            t.setDaemon(true);
            clients.add(t);
            t.start();
        }
        long end = System.nanoTime() + options.timeLimit().toNanos();
        long nextProgress = System.nanoTime();
        while (System.nanoTime() < end) {
            nemesis.tick();
            if (System.nanoTime() >= nextProgress) {
                progress.printf(Locale.ROOT, "[%5.1fs] %s  faults: %s%n", history.elapsedNanos() / 1e9, history.counts(), nemesis.current());
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
            Thread.sleep(100);
        }
        nemesis.healAll();
        stop.set(true);
        for (Thread t : clients) {
            t.join(options.requestTimeout().toMillis() * 3);
        }
        if (options.faults().contains(Fault.MEMBERSHIP)) {
            writeMembership(nemesis, options.out().resolve("membership.json"), progress);
        }
        return nemesis.restoreFailure();
    }

    /**
     * How the membership changes ended, in {@code membership.json} and one progress line: CI reads
     * {@code "done"} from it, since a run whose changes were all refused has not tested membership.
     */
    private static void writeMembership(Nemesis nemesis, Path file, PrintStream progress) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        for (String status : List.of("done", "refused", "timed out", "aborted")) {
            json.put(status.replace(' ', '_'), nemesis.membershipChanges(status));
        }
        json.put("changes", nemesis.membershipOutcomes());
        json.put("restored", nemesis.restoreFailure() == null);
        if (nemesis.restoreFailure() != null) {
            json.put("restoreFailure", nemesis.restoreFailure());
        }
        Files.createDirectories(file.getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json);
        progress.printf(Locale.ROOT, "membership changes: %d done, %d refused, %d timed out, %d aborted by the final heal; full membership %s%n",
                nemesis.membershipChanges("done"), nemesis.membershipChanges("refused"), nemesis.membershipChanges("timed out"),
                nemesis.membershipChanges("aborted"), nemesis.restoreFailure() == null ? "restored" : "NOT restored: " + nemesis.restoreFailure());
    }
}
