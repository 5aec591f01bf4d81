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
 * joint, whatever the changes left half done (a learner not promoted, a replaced id not removed, a
 * slot wiped and empty, a joining node that gave up). One change at a time, each retried, until the
 * leader reports the full membership or the deadline passes. Without it the recovery check after
 * the heal would judge a smaller cluster than the one the run started with.
 *
 * <p>A slot's node that is not a member and has exited (a joining node gives up when it cannot learn
 * the members) is started again empty: it holds nothing the cluster needs, since every wipe follows
 * a committed removal or ends the id for good. A learner is promoted once it has caught up; one whose
 * process has exited is removed (a learner never counted), then started again.
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
        String last = "not asked yet";
        while (System.nanoTime() < deadlineNanos) {
            Set<String> wanted = new LinkedHashSet<>();
            cluster.nodes().forEach(n -> wanted.add(cluster.memberId(n)));
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
            last = view.joint() ? "joint configuration: waiting for the automatic leave" : step(view, wanted, leader.get());
            Thread.sleep(retryMillis);
        }
        Set<String> wanted = new LinkedHashSet<>();
        cluster.nodes().forEach(n -> wanted.add(cluster.memberId(n)));
        return "the membership was not restored to the voters " + wanted + " (last: " + last + ")";
    }

    /** One change towards the full membership; what it did. */
    private String step(View view, Set<String> wanted, String leader) throws IOException, InterruptedException {
        String endpoint = cluster.endpoint(leader);
        for (String slot : cluster.nodes()) {
            String id = cluster.memberId(slot);
            if (cluster.vacant(slot)) {
                hands.join(slot, id, leader);
                return "started " + id + " in its empty slot";
            }
            if (view.member(id).isEmpty()) {
                if (!hands.exited(slot)) {
                    continue; // joining, most likely: it adds itself
                }
                hands.wipe(slot);
                hands.join(slot, id, leader);
                return id + " had exited before it was added: started again empty";
            }
            if (!view.member(id).get().voter()) {
                if (MembershipChange.caughtUp(cluster, api, slot)) {
                    Reply r = api.promote(endpoint, id);
                    return "promote " + id + ": " + r;
                }
                if (hands.exited(slot)) {
                    Reply r = api.remove(endpoint, id); // a learner: it never counted, so it may go and come back empty
                    return "learner " + id + " has exited: remove: " + r;
                }
            }
        }
        for (String id : view.ids()) {
            if (!wanted.contains(id)) {
                Reply r = api.remove(endpoint, id);
                return "remove " + id + ": " + r;
            }
        }
        return "waiting for " + wanted + " to be listed as voters";
    }
}
