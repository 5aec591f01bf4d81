package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.MembershipBackend;
import io.raftkit.verifier.nemesis.Members.Reply;
import io.raftkit.verifier.nemesis.Members.View;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The membership part of the final heal: every slot's node a voter, nothing else a member, nothing
 * joint, whatever the changes left half done (a node removed but not re-added, a learner not
 * promoted, a replaced id not removed, a slot wiped and empty). One change at a time, each retried,
 * until the leader reports the full membership or the deadline passes. Without it the recovery
 * check after the heal would judge a smaller cluster than the one the run started with.
 */
final class MembershipRestore {

    private final MembershipBackend cluster;
    private final Members api;
    private final MembershipChange.Hands hands;
    private final long retryMillis;

    MembershipRestore(MembershipBackend cluster, Members api, MembershipChange.Hands hands, long retryMillis) {
        this.cluster = cluster;
        this.api = api;
        this.hands = hands;
        this.retryMillis = retryMillis;
    }

    /** The slots' ids as voters; null once done, else why not by the deadline. */
    String run(long deadlineNanos) throws IOException, InterruptedException {
        Set<String> wanted = new LinkedHashSet<>();
        cluster.nodes().forEach(n -> wanted.add(cluster.memberId(n)));
        String last = "not asked yet";
        long lastAdd = System.nanoTime() - MembershipChange.ADD_AFTER_NANOS; // the first add at once
        while (System.nanoTime() < deadlineNanos) {
            Optional<String> leader = cluster.leader();
            Optional<View> seen = leader.flatMap(l -> api.view(cluster.endpoint(l)));
            if (seen.isEmpty()) {
                last = "no leader answers GET /v1/members";
                Thread.sleep(retryMillis);
                continue;
            }
            View view = seen.get();
            if (view.settledOn(wanted)) {
                return null;
            }
            String endpoint = cluster.endpoint(leader.get());
            Reply reply = null;
            if (view.joint()) {
                last = "joint configuration: waiting for the automatic leave";
            } else {
                String vacant = cluster.nodes().stream().filter(cluster::vacant).findFirst().orElse(null);
                String missing = cluster.nodes().stream().filter(n -> !cluster.vacant(n) && view.member(cluster.memberId(n)).isEmpty())
                        .findFirst().orElse(null);
                String learner = wanted.stream().filter(id -> view.member(id).map(m -> !m.voter()).orElse(false)).findFirst().orElse(null);
                String extra = view.ids().stream().filter(id -> !wanted.contains(id)).findFirst().orElse(null);
                if (vacant != null) {
                    hands.join(vacant, cluster.memberId(vacant), leader.get());
                    last = "started " + cluster.memberId(vacant) + " again in its empty slot";
                } else if (missing != null && System.nanoTime() - lastAdd > MembershipChange.ADD_AFTER_NANOS / 2) {
                    String id = cluster.memberId(missing);
                    reply = api.add(endpoint, id, cluster.raftAddress(missing), cluster.httpUrl(missing));
                    lastAdd = System.nanoTime();
                    last = "add " + id + ": " + reply;
                } else if (learner != null) {
                    reply = api.promote(endpoint, learner);
                    last = "promote " + learner + ": " + reply;
                } else if (extra != null) {
                    reply = api.remove(endpoint, extra);
                    last = "remove " + extra + ": " + reply;
                } else {
                    last = "waiting for " + wanted + " to be listed";
                }
            }
            if (reply == null || !reply.ok()) {
                Thread.sleep(retryMillis);
            }
        }
        return "the membership was not restored to the voters " + wanted + " (last: " + last + ")";
    }
}
