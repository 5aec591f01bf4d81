package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.client.KvResult;
import io.raftkit.verifier.client.Outcome;
import io.raftkit.verifier.client.Session;
import io.raftkit.verifier.spi.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The writes and CASes that ended {@code info}, with the exactly-once session each was sent in.
 * After the final heal each is sent again in that session. The KV store applies a session's request
 * at most once, so between the original and the resend exactly one took effect, or (a CAS whose
 * comparison failed) neither changed anything; the answer says which, and when:
 *
 * <ol>
 *   <li>First a linearizable read (of the key) at the leader: every entry committed before it began
 *       has an index at most the read's applied index {@code a}.</li>
 *   <li>Then the resend. Its answer carries the index {@code m} of the entry that applied the
 *       request, the original's when the store deduplicated it.</li>
 *   <li>{@code m > a}: the effect was committed after the read began and before the answer. The
 *       history gets one operation for it, the resend, invoked before the read and completed with
 *       the answer (ok, or fail for a failed comparison), and the original becomes a {@code fail}:
 *       it had no effect of its own. A short interval instead of one stretching from the fault.</li>
 *   <li>{@code m <= a}: the original took effect before the read. It stays {@code info} (which
 *       allows every moment it could have happened) unless its CAS comparison failed, when it becomes
 *       a {@code fail}; the resend is recorded as a {@code fail}, a duplicate that changed nothing.</li>
 * </ol>
 *
 * <p>Resolving the original as {@code ok} at the resend's answer would also be sound, but such
 * operations span the whole fault and overlap each other: a Docker run with 1,000 of them left the
 * checker undecided after 480 s. The resends also test the store's deduplication: a request applied
 * twice shows as an anomaly.
 */
public final class IndeterminateWrites {

    /** Process numbers of resends start here, far above any client's. */
    static final int RESEND_PROCESSES = 1 << 29;

    private record Pending(Recorded completion, Op op, Session session) {
    }

    /**
     * The requests a resend makes: a {@link io.raftkit.verifier.spi.Client} of a store with
     * exactly-once sessions offers them (the KV store's), and the runner resends only for such a client.
     */
    public interface Kv {
        /** A linearizable read of {@code key} whose answer carries the applied index it saw. */
        KvResult read(String endpoint, String key);

        /** {@code op} sent in {@code session}; the answer carries the index that applied it. */
        KvResult mutate(String endpoint, Op op, Session session);
    }

    /** A process's opened client that sends every write in an exactly-once session. */
    public interface InSession {
        /** The session of the last write this process sent: the one an unknown write would be resent in. */
        Session lastSession();
    }

    private final List<Pending> pending = new ArrayList<>();

    synchronized void add(Recorded infoCompletion, Op op, Session session) {
        pending.add(new Pending(infoCompletion, op, session));
    }

    synchronized int size() {
        return pending.size();
    }

    /**
     * Resends each until it gets an answer or {@code deadline} passes; returns how many took effect
     * at the resend, took effect before it, and stayed undecided.
     */
    synchronized int[] resend(History history, ClusterBackend cluster, long deadline, Kv kv) throws InterruptedException {
        int late = 0;
        int before = 0;
        int left = 0;
        int process = RESEND_PROCESSES;
        String endpoint = null;
        for (Pending p : pending) {
            int resender = process++;
            Recorded invoke = history.add(resender, "invoke", p.op().f(), p.op().key(), p.op().value(), null);
            KvResult read = null;
            KvResult r = null;
            while (System.nanoTime() < deadline && (r == null || !decisive(r))) {
                if (endpoint == null) {
                    endpoint = cluster.leader().map(cluster::endpoint).orElse(cluster.endpoint(cluster.nodes().get(0)));
                }
                if (read == null) {
                    KvResult attempt = kv.read(endpoint, p.op().key());
                    read = attempt.outcome() == Outcome.OK && attempt.index() != KvResult.NO_INDEX ? attempt : null;
                }
                if (read != null) {
                    r = kv.mutate(endpoint, p.op(), p.session());
                    if (r.status() == 409) {
                        break; // the session moved on, which a retired process never does: left as it was
                    }
                }
                if (r == null || !decisive(r)) {
                    endpoint = null; // no answer here: ask again who leads
                    Thread.sleep(100);
                }
            }
            String session = "client " + p.session().clientId() + ", sequence " + p.session().sequence();
            if (r == null || !decisive(r)) {
                history.add(resender, "fail", invoke.f(), invoke.key(), invoke.value(),
                        "resend of " + session + " got no decisive answer; the original stays indeterminate");
                left++;
                continue;
            }
            boolean compared = r.outcome() == Outcome.OK;
            if (r.index() > read.index()) {
                history.add(resender, compared ? "ok" : "fail", invoke.f(), invoke.key(), invoke.value(),
                        "resend of " + session + ": applied at index " + r.index() + ", after the read at " + read.index());
                history.resolve(p.completion(), "fail", p.completion().value(),
                        "took effect only through its resend (index " + r.index() + "); first ended: " + p.completion().error());
                late++;
            } else {
                history.add(resender, "fail", invoke.f(), invoke.key(), invoke.value(),
                        "resend of " + session + ": a duplicate of the original, applied at index " + r.index());
                if (!compared) {
                    history.resolve(p.completion(), "fail", p.completion().value(), "applied at index " + r.index()
                            + " with its comparison failed, learned by a resend; first ended: " + p.completion().error());
                }
                before++;
            }
        }
        pending.clear();
        return new int[] {late, before, left};
    }

    /** An answer that says what happened to the request: applied (ok, or a CAS whose comparison failed), with its index. */
    private static boolean decisive(KvResult r) {
        return r.status() == 200 && r.index() != KvResult.NO_INDEX;
    }
}
