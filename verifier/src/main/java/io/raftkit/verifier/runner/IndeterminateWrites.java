package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.client.KvResult;
import io.raftkit.verifier.client.Outcome;
import io.raftkit.verifier.client.Session;
import io.raftkit.verifier.workload.Invocation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The writes and CASes that ended {@code info}, with the exactly-once session each was sent in.
 * After the final heal each is sent again in that session: the KV store applies a request at most
 * once per session, so the answer is the original's outcome if it took effect, or this attempt's if
 * it never did. Either way the operation took effect at most once, between its invocation and this
 * answer, and the history records it so ({@link History#resolve}): an {@code info} becomes an
 * {@code ok} or a {@code fail}, and the checker has one indeterminate operation fewer. The resend
 * also tests the store's deduplication: a duplicate applied twice would show as an anomaly.
 */
final class IndeterminateWrites {

    private record Pending(Recorded completion, Invocation op, Session session) {
    }

    private final List<Pending> pending = new ArrayList<>();

    synchronized void add(Recorded infoCompletion, Invocation op, Session session) {
        pending.add(new Pending(infoCompletion, op, session));
    }

    synchronized int size() {
        return pending.size();
    }

    /**
     * Resends each until it gets an answer or {@code deadline} passes; returns how many were
     * resolved ok, resolved fail, and left indeterminate.
     *
     * @param send performs an invocation in a session against an endpoint
     */
    synchronized int[] resend(History history, ClusterBackend cluster, long deadline, Function<Attempt, KvResult> send)
            throws InterruptedException {
        int ok = 0;
        int fail = 0;
        int left = 0;
        String endpoint = null;
        for (Pending p : pending) {
            KvResult r = null;
            while (System.nanoTime() < deadline) {
                if (endpoint == null) {
                    endpoint = cluster.leader().map(cluster::endpoint).orElse(cluster.endpoint(cluster.nodes().get(0)));
                }
                r = send.apply(new Attempt(endpoint, p.op(), p.session()));
                // Only the store's answer to the request itself decides: 200, with the write done or
                // the CAS's comparison failed. A refusal (503, not-applied) is about this attempt only.
                if (r.status() == 200 || r.status() == 409) {
                    break; // 409: the session moved on, which a retired process never does; left as it was
                }
                endpoint = null; // no decisive answer here: ask again who leads
                Thread.sleep(100);
            }
            if (r == null || r.status() != 200) {
                left++;
                continue;
            }
            String note = "resent in its session (client " + p.session().clientId() + ", sequence " + p.session().sequence()
                    + ") after the final heal; first ended: " + p.completion().error();
            history.resolve(p.completion(), r.outcome() == Outcome.OK ? "ok" : "fail", p.completion().value(), note);
            if (r.outcome() == Outcome.OK) {
                ok++;
            } else {
                fail++;
            }
        }
        pending.clear();
        return new int[] {ok, fail, left};
    }

    /** One resend. */
    record Attempt(String endpoint, Invocation op, Session session) {
    }
}
