package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.nemesis.Nemesis;
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
 * stopped and joined. What follows (final reads, resends, the check) is the workload's own.
 */
final class FaultPhase {

    private FaultPhase() {
    }

    /**
     * @param clientLoop runs one client, given its first history process, until {@code stop} is set
     * @param stop       set here once the faults are healed
     */
    static void run(ClusterBackend cluster, RunOptions options, History history, PrintStream progress, String threadName,
                    IntConsumer clientLoop, AtomicBoolean stop) throws IOException, InterruptedException {
        Nemesis nemesis = new Nemesis(cluster, options.faults(), options.seed() ^ 0x5DEECE66DL, options.faultInterval(),
                (f, description) -> history.add("nemesis", "info", f, null, description, null));
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
    }
}
