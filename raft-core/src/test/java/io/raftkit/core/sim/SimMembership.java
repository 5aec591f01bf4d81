package io.raftkit.core.sim;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.core.server.RaftServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Membership changes during the fault phase (issue 17): a spare node started and added as a learner,
 * a learner promoted, a member removed (the leader too), a voter replaced by a learner in one joint
 * change. Each goes to whichever node leads at that moment, through the production RaftServer API;
 * a refusal (change in flight, term not committed, learner behind, no leader) is an outcome, not a
 * failure. The safety invariants are checked across configurations as ever; liveness after healing
 * is asked of the members of the leader's configuration only.
 *
 * <p>Drawn from a stream of its own (like the snapshot policy), so a seed without membership
 * changes runs exactly as before they existed: half the seeds have them.
 */
final class SimMembership {

    /** Nodes that start outside the cluster, to be added. */
    static final int SPARES = 3;

    private final SimCluster cluster;
    private final SplittableRandom random;
    final boolean enabled;
    private final int gapTicks;
    private long nextTick;
    long changesProposed;
    long changesCompleted;

    SimMembership(SimCluster cluster, SplittableRandom random) {
        this.cluster = cluster;
        this.random = random;
        this.enabled = random.nextBoolean();
        this.gapTicks = 50 + random.nextInt(450);
        this.nextTick = 50 + random.nextInt(gapTicks);
    }

    /** One tick of the fault phase: perhaps one change. */
    void step(long tick) {
        if (!enabled || tick < nextTick) {
            return;
        }
        nextTick = tick + 1 + random.nextInt(gapTicks);
        SimNode leader = cluster.currentLeader().orElse(null);
        if (leader == null) {
            return;
        }
        ClusterConfig current = leader.server.status().members();
        int op = random.nextInt(4);
        if (op == 0) {
            addSpare(leader.server);
        } else if (op == 1) {
            pick(current.learners()).ifPresentOrElse(id -> propose(leader.server, "promote " + id, leader.server.promote(id)),
                    () -> addSpare(leader.server));
        } else if (op == 2) {
            NodeId id = pick(current.members()).orElseThrow();
            propose(leader.server, "remove " + id + (id.equals(leader.id) ? " (the leader)" : ""), leader.server.remove(id));
        } else {
            replace(leader.server, current);
        }
    }

    private void addSpare(RaftServer leader) {
        for (SimNode spare : cluster.spares()) {
            if (!spare.everStarted()) {
                cluster.startSpare(spare);
                propose(leader, "add learner " + spare.id, leader.addLearner(spare.id, null));
                return;
            }
        }
    }

    /** A voter out and a learner in, in one joint change (the dead-machine replacement). */
    private void replace(RaftServer leader, ClusterConfig current) {
        java.util.Optional<NodeId> in = pick(current.learners());
        java.util.Optional<NodeId> out = pick(current.voters());
        if (in.isEmpty() || out.isEmpty()) {
            return;
        }
        TreeSet<NodeId> voters = new TreeSet<>(current.voters());
        voters.remove(out.get());
        voters.add(in.get());
        TreeSet<NodeId> learners = new TreeSet<>(current.learners());
        learners.remove(in.get());
        propose(leader, "replace " + out.get() + " by " + in.get(), leader.changeMembership(new ClusterConfig(voters, learners)));
    }

    private void propose(RaftServer leader, String what, java.util.concurrent.CompletableFuture<ClusterConfig> future) {
        changesProposed++;
        cluster.trace("membership: " + what + " at " + leader.id());
        future.whenComplete((config, error) -> {
            if (error == null) {
                changesCompleted++;
            }
            cluster.trace("membership: " + what + (error == null ? " done: " + config : " failed: " + error.getMessage()));
        });
    }

    private java.util.Optional<NodeId> pick(Set<NodeId> ids) {
        if (ids.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<NodeId> list = new ArrayList<>(ids);
        return java.util.Optional.of(list.get(random.nextInt(list.size())));
    }
}
