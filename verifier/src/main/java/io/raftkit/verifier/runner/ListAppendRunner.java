package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.client.KvTxnClient;
import io.raftkit.verifier.client.Outcome;
import io.raftkit.verifier.client.TxnResult;
import io.raftkit.verifier.kv.KvClient;
import io.raftkit.verifier.workload.ListAppendWorkload;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drives a list-append run ({@link ListAppendWorkload}) over {@code POST /v1/txn}: client threads
 * send transactions to random nodes while the nemesis injects faults, then a full heal, a quiet
 * period and read transactions of every key used, which must succeed within the recovery timeout
 * (the liveness check, as in {@link Runner}). Every transaction is recorded as Jepsen records one,
 * {@code :f :txn} with its micro-ops, for {@code ListAppendChecker}.
 *
 * <p>A transaction whose outcome is unknown (timeout, lost answer) is recorded info and not resent:
 * the checker takes it as possibly applied at any time after its invocation. Its process retires,
 * as in Jepsen, so no process has two transactions open. With the planted stale read, read-only
 * transactions read each key's local state at the node they were sent to.
 */
public final class ListAppendRunner {

    private final ClusterBackend cluster;
    private final RunOptions options;
    private final ListAppendWorkload workload;
    private final KvTxnClient client;
    private final History history = new History();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final PrintStream progress;
    private volatile String recoveryFailure;
    /** Why the final heal could not restore the full membership, or null. */
    private volatile String notRestored;

    public ListAppendRunner(ClusterBackend cluster, RunOptions options, ListAppendWorkload workload, PrintStream progress) {
        this.cluster = cluster;
        this.options = options;
        this.workload = workload;
        this.client = new KvTxnClient(options.requestTimeout());
        this.progress = progress;
    }

    public History run() throws IOException, InterruptedException {
        notRestored = FaultPhase.run(cluster, options, history, progress, "txn-client-", this::clientLoop, stop);
        progress.printf(Locale.ROOT, "[%5.1fs] healed; quiet for %d s, then final reads%n", history.elapsedNanos() / 1e9,
                options.quietPeriod().toSeconds());
        Thread.sleep(options.quietPeriod().toMillis());
        finalReads(System.nanoTime() + options.recoveryTimeout().toNanos());
        progress.printf(Locale.ROOT, "[%5.1fs] done: %s%n", history.elapsedNanos() / 1e9, history.counts());
        if (recoveryFailure() != null) {
            progress.println("NOT RECOVERED: " + recoveryFailure());
        }
        return history;
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
        List<String> nodes = cluster.nodes();
        while (!stop.get()) {
            List<List<Object>> mops = workload.next(random);
            String endpoint = cluster.endpoint(nodes.get(random.nextInt(nodes.size())));
            TxnResult result = perform(process, endpoint, mops);
            if (result.outcome() == Outcome.INFO) {
                process += options.concurrency(); // a crashed process never returns: continue as a new one
            }
            if (!result.answered()) {
                sleepQuietly(KvClient.NO_ANSWER_PAUSE_MILLIS);
            } else if (result.status() == 503) {
                sleepQuietly(KvClient.UNAVAILABLE_PAUSE_MILLIS);
            }
        }
    }

    private TxnResult perform(int process, String endpoint, List<List<Object>> mops) {
        history.add(process, "invoke", "txn", null, mops, null);
        TxnResult result = options.staleReads() && ListAppendWorkload.readOnly(mops)
                ? client.staleReads(endpoint, mops) : client.txn(endpoint, mops);
        history.add(process, result.outcome().name().toLowerCase(Locale.ROOT), "txn", null, result.mops(), result.error());
        return result;
    }

    /**
     * Each final read transaction until one attempt succeeds, at the leader when one is known. Every
     * attempt is recorded, each under a process of its own (an info attempt leaves its process open).
     */
    private void finalReads(long deadline) {
        int process = Integer.MAX_VALUE / 2;
        for (List<List<Object>> txn : workload.finalReads()) {
            TxnResult r;
            do {
                String node = cluster.leader().orElse(cluster.nodes().get(0));
                r = perform(process++, cluster.endpoint(node), txn);
                if (r.outcome() != Outcome.OK) {
                    sleepQuietly(KvClient.NO_ANSWER_PAUSE_MILLIS);
                }
            } while (r.outcome() != Outcome.OK && System.nanoTime() < deadline);
            if (r.outcome() != Outcome.OK) {
                recoveryFailure = "no final read transaction succeeded within " + options.recoveryTimeout().toSeconds()
                        + " s after the final heal and quiet period; last error: " + r.error();
                return;
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
