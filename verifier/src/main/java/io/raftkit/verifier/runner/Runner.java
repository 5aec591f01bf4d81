package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.spi.Client;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drives a run of a {@link Workload} through its {@link Client} (both the public SPI: the KV store's
 * register and set workloads are {@link io.raftkit.verifier.kv.KvRegisterWorkload} and
 * {@link io.raftkit.verifier.kv.KvSetWorkload} with {@link io.raftkit.verifier.kv.KvClient}):
 * {@code concurrency} client processes perform the workload's operations against random nodes while
 * the nemesis injects overlapping faults; then a full heal, a quiet period, the workload's final
 * operations, and, for a client with exactly-once sessions ({@link IndeterminateWrites.Kv}), the
 * resend of every indeterminate write in its own session followed by the final operations again.
 * A process whose operation ends unknown is treated as crashed, as in Jepsen: it continues under a
 * new process number with a newly {@linkplain Client#open opened} client (a new session), so no
 * process ever has two operations open.
 *
 * <p>The final operations are also the run's liveness check. A cluster that stops serving after the
 * final heal leaves a history of failures, which is trivially linearizable; {@link #recoveryFailure()}
 * says so instead, and the run fails on it.
 */
public final class Runner {

    /** History process of the final operations; one that ends unknown retires it, and the next number takes over. */
    private static final int FINAL_PROCESS = Integer.MAX_VALUE / 2;

    private final ClusterBackend cluster;
    private final RunOptions options;
    private final Workload workload;
    private final Client client;
    private final History history = new History();
    private final IndeterminateWrites indeterminate = new IndeterminateWrites();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final PrintStream progress;
    private volatile String recoveryFailure;
    /** Why the final heal could not restore the full membership, or null. */
    private volatile String notRestored;
    private Node finalNode;
    private int finalProcess = FINAL_PROCESS;
    private int[] resent = {0, 0, 0};

    public Runner(ClusterBackend cluster, RunOptions options, Workload workload, Client client, PrintStream progress) {
        this.cluster = cluster;
        this.options = options;
        this.workload = workload;
        this.client = client;
        this.progress = progress;
    }

    /** Runs the whole schedule and returns the history. */
    public History run() throws IOException, InterruptedException {
        notRestored = FaultPhase.run(cluster, options, history, progress, "client-", this::clientLoop, stop);
        progress.printf(Locale.ROOT, "[%5.1fs] healed; quiet for %d s, then final reads, %d indeterminate writes resent, final reads again%n",
                history.elapsedNanos() / 1e9, options.quietPeriod().toSeconds(), indeterminate.size());
        Thread.sleep(options.quietPeriod().toMillis());
        long deadline = System.nanoTime() + options.recoveryTimeout().toNanos();
        // Read every key before the resends too: a resent write lands on its key after the faults, and
        // would hide a write that the faults lost (the value read would be the resent one's).
        finalOps(deadline);
        if (recoveryFailure == null && client instanceof IndeterminateWrites.Kv kv) {
            resent = indeterminate.resend(history, cluster, deadline, kv);
            progress.printf(Locale.ROOT, "[%5.1fs] resent: %d took effect only now, %d had before, %d undecided%n",
                    history.elapsedNanos() / 1e9, resent[0], resent[1], resent[2]);
            finalOps(deadline);
        }
        progress.printf(Locale.ROOT, "[%5.1fs] done: %s%n", history.elapsedNanos() / 1e9, history.counts());
        if (recoveryFailure() != null) {
            progress.println("NOT RECOVERED: " + recoveryFailure());
        }
        return history;
    }

    /** Indeterminate writes resent after the final heal: how many took effect only then, had before, stayed undecided. */
    public int[] resent() {
        return resent.clone();
    }

    /**
     * Why the cluster did not serve again after the final heal, or did not get its full membership
     * back (the recovery check would then judge a smaller cluster than the one the run started with);
     * null when it did both.
     */
    public String recoveryFailure() {
        return recoveryFailure != null ? recoveryFailure : notRestored;
    }

    private void clientLoop(int firstProcess) {
        SplittableRandom random = new SplittableRandom(options.seed() * 31 + firstProcess);
        int process = firstProcess;
        Client processClient = client.open(process);
        List<Node> nodes = new ArrayList<>();
        for (String id : cluster.nodes()) {
            nodes.add(cluster.node(id));
        }
        while (!stop.get()) {
            Op op = workload.next(random);
            Node node = nodes.get(random.nextInt(nodes.size()));
            history.add(process, "invoke", op.f(), op.key(), op.value(), null);
            Completion done = invoke(processClient, node, op);
            Recorded completion = record(process, op, done);
            workload.completed(op, done);
            if (done instanceof Completion.Unknown) {
                if (!op.f().equals("read") && processClient instanceof IndeterminateWrites.InSession s && s.lastSession() != null) {
                    indeterminate.add(completion, op, s.lastSession());
                }
                process += options.concurrency(); // a crashed process never returns: continue as a new one
                processClient = client.open(process);
            }
        }
    }

    /** A client that throws or answers nothing has not said what happened: unknown, with the reason recorded. */
    private static Completion invoke(Client c, Node node, Op op) {
        try {
            Completion done = c.invoke(node, op);
            return done != null ? done : Completion.unknown("the client returned no completion");
        } catch (RuntimeException e) {
            return Completion.unknown("the client threw " + e);
        }
    }

    /** The completion event: an ok carries the value the client returned, a fail or an unknown the value invoked. */
    private Recorded record(int process, Op op, Completion done) {
        if (done instanceof Completion.Ok ok) {
            return history.add(process, "ok", op.f(), op.key(), ok.value(), null);
        }
        if (done instanceof Completion.Fail fail) {
            return history.add(process, "fail", op.f(), op.key(), op.value(), fail.reason());
        }
        if (done instanceof Completion.Unknown unknown) {
            return history.add(process, "info", op.f(), op.key(), op.value(), unknown.reason());
        }
        throw new AssertionError("unhandled " + done);
    }

    /**
     * The workload's final operations (the register workload reads every key used, the set workload
     * every element attempted), each retried until it succeeds or {@code deadline} passes. They are
     * recorded and checked like any other operation, so a write the crash lost shows up here too.
     * They go to the leader (or any node) found once; only a failed one looks again, so hundreds of
     * keys do not each cost a round of status probes.
     */
    private void finalOps(long deadline) {
        for (Op op : workload.finalOps()) {
            Completion done = untilOk(deadline, op);
            if (!(done instanceof Completion.Ok)) {
                recoveryFailure = "no " + op.f() + " of " + op.key() + " succeeded within " + options.recoveryTimeout().toSeconds()
                        + " s after the final heal and quiet period; last error: " + reason(done);
                return;
            }
        }
    }

    private Completion untilOk(long deadline, Op op) {
        while (true) {
            if (finalNode == null) {
                List<String> nodes = cluster.nodes();
                finalNode = cluster.node(cluster.leader().orElse(nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()))));
            }
            history.add(finalProcess, "invoke", op.f(), op.key(), op.value(), null);
            Completion done = invoke(client, finalNode, op);
            record(finalProcess, op, done);
            if (done instanceof Completion.Ok) {
                return done;
            }
            if (done instanceof Completion.Unknown) {
                finalProcess++;
            }
            finalNode = null;
            if (System.nanoTime() > deadline) {
                return done;
            }
            sleepQuietly(250);
        }
    }

    private static String reason(Completion done) {
        if (done instanceof Completion.Fail fail) {
            return fail.reason();
        }
        return done instanceof Completion.Unknown unknown ? unknown.reason() : null;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
