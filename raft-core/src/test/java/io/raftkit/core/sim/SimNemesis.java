package io.raftkit.core.sim;

import io.raftkit.api.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The fault phase's faults, one every few ticks, each drawn from the seed: partitions into random
 * halves, the leader isolated, one-way cuts, crashes of a random node or of the leader and
 * restarts, lossy, duplicating and reordering links, slow links whose messages arrive long after
 * an election timeout and single messages held for seconds, pauses of a node's loop, disks whose
 * writes hang, leadership transfers at random moments, crashes inside steps and stalls of a
 * leader while a read round is exposed.
 *
 * <p>Swarm testing (Groce et al., 2012): each seed turns on a random subset of these kinds, with
 * its own intensity and pace, rather than all of them at once. A run with only pauses and
 * transfers reaches interleavings that constant partitions and crashes would cut short, and a
 * kind that is off cannot mask a bug that another kind exposes.
 */
final class SimNemesis {

    /** The kinds of fault a seed may turn on. */
    enum Kind { PARTITION, ONE_WAY_CUT, CRASH, LOSSY_NETWORK, LONG_DELAYS, SLOW_LINKS, TRANSFER, PAUSE, DISK_STALL, CRASH_IN_STEP,
        EXPOSED_PAUSE }

    private final SimCluster cluster;
    private final SimNetwork network;
    private final SplittableRandom random;
    private final List<NodeId> ids;
    private final EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
    /** Ticks between two faults: from {@code minGapTicks} to {@code minGapTicks + gapRangeTicks}. */
    private final int minGapTicks;
    private final int gapRangeTicks;

    SimNemesis(SimCluster cluster, SimNetwork network, SplittableRandom random, List<NodeId> ids) {
        this.cluster = cluster;
        this.network = network;
        this.random = random;
        this.ids = ids;
        for (Kind kind : Kind.values()) {
            if (random.nextBoolean()) {
                kinds.add(kind);
            }
        }
        if (kinds.isEmpty()) {
            kinds.add(Kind.values()[random.nextInt(Kind.values().length)]);
        }
        boolean busy = random.nextBoolean();
        minGapTicks = busy ? 10 : 40;
        gapRangeTicks = busy ? 80 : 300;
    }

    Set<Kind> kinds() {
        return kinds;
    }

    /** Ticks until the next fault. */
    int nextGapTicks() {
        return minGapTicks + random.nextInt(gapRangeTicks);
    }

    /** Settings that hold for the whole fault phase: lossy links, crashes in steps, exposed pauses. */
    void start() {
        if (kinds.contains(Kind.LOSSY_NETWORK)) {
            network.lossRate = random.nextDouble() * 0.2;
            network.duplicateRate = random.nextDouble() * 0.05;
            network.maxDelayMillis = 2 + random.nextInt(40);
        }
        if (kinds.contains(Kind.LONG_DELAYS)) {
            network.holdRate = random.nextDouble() * 0.05;
        }
        if (kinds.contains(Kind.CRASH_IN_STEP)) {
            cluster.crashes.rate = random.nextDouble() * 0.002;
        }
        if (kinds.contains(Kind.EXPOSED_PAUSE)) {
            cluster.pauseRate = random.nextDouble() * 0.2;
        }
        cluster.trace("faults " + kinds + " every " + minGapTicks + ".." + (minGapTicks + gapRangeTicks) + " ticks; loss="
                + fmt(network.lossRate) + " dup=" + fmt(network.duplicateRate) + " maxDelay=" + network.maxDelayMillis
                + " held=" + fmt(network.holdRate)
                + " crashes in steps=" + fmt(cluster.crashes.rate * 1000) + "/1000 exposed pauses=" + fmt(cluster.pauseRate));
    }

    /** One fault of a kind this seed turned on, or a heal or restart (so that faults do not only pile up). */
    void strike() {
        List<Kind> on = new ArrayList<>(kinds);
        on.removeIf(k -> k == Kind.LOSSY_NETWORK || k == Kind.LONG_DELAYS || k == Kind.CRASH_IN_STEP || k == Kind.EXPOSED_PAUSE);
        int choice = random.nextInt(on.size() + 2);
        if (choice == on.size()) {
            network.healAll();
            cluster.trace("heal network");
            return;
        }
        if (choice == on.size() + 1) {
            cluster.restartCrashed();
            return;
        }
        Kind kind = on.get(choice);
        switch (kind) {
            case PARTITION -> {
                if (random.nextBoolean()) {
                    partitionRandomHalves();
                } else {
                    isolateLeader();
                }
            }
            case ONE_WAY_CUT -> oneWayCut();
            case CRASH -> {
                if (random.nextBoolean()) {
                    crashRandomNode();
                } else {
                    leader().ifPresent(n -> cluster.crash(n, "leader, by nemesis"));
                }
            }
            case SLOW_LINKS -> slowNode();
            case TRANSFER -> transferLeadership();
            case PAUSE -> pause();
            case DISK_STALL -> stallDisk();
            default -> throw new AssertionError("unhandled fault kind " + kind);
        }
    }

    private java.util.Optional<SimNode> leader() {
        return cluster.currentLeader();
    }

    private void partitionRandomHalves() {
        network.healCuts();
        List<NodeId> shuffled = new ArrayList<>(ids);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            Collections.swap(shuffled, i, random.nextInt(i + 1));
        }
        int split = 1 + random.nextInt(ids.size() - 1);
        List<NodeId> left = shuffled.subList(0, split);
        List<NodeId> right = shuffled.subList(split, shuffled.size());
        for (NodeId a : left) {
            for (NodeId b : right) {
                network.cut(a, b);
                network.cut(b, a);
            }
        }
        cluster.trace("partition " + left + " | " + right);
    }

    private void oneWayCut() {
        NodeId from = ids.get(random.nextInt(ids.size()));
        NodeId to = ids.get(random.nextInt(ids.size()));
        if (!from.equals(to)) {
            network.cut(from, to);
            cluster.trace("cut " + from + " -> " + to);
        }
    }

    private void isolateLeader() {
        leader().ifPresent(leader -> {
            for (NodeId other : ids) {
                if (!other.equals(leader.id)) {
                    network.cut(leader.id, other);
                    network.cut(other, leader.id);
                }
            }
            cluster.trace("isolate leader " + leader.id);
        });
    }

    private void crashRandomNode() {
        SimNode node = cluster.node(ids.get(random.nextInt(ids.size())));
        if (node.up) {
            cluster.crash(node, "by nemesis");
        }
    }

    /**
     * Messages from (and perhaps to) one node are held far longer than an election timeout and then
     * delivered: the old leader's AppendEntries, its replies and its votes arrive into a cluster
     * that moved on.
     */
    private void slowNode() {
        SimNode target = random.nextBoolean() ? leader().orElse(null) : null;
        NodeId slow = target != null ? target.id : ids.get(random.nextInt(ids.size()));
        int direction = random.nextInt(3); // 0: from it, 1: to it, 2: both ways
        for (NodeId other : ids) {
            if (!other.equals(slow)) {
                if (direction != 1) {
                    network.slowDown(slow, other);
                }
                if (direction != 0) {
                    network.slowDown(other, slow);
                }
            }
        }
        cluster.trace("slow links " + (direction == 0 ? "from " : direction == 1 ? "to " : "to and from ") + slow);
    }

    /**
     * The loop of the leader, or of a random node, stalls for longer than an election timeout (a
     * GC pause, a stopped process): no ticks, no heartbeats; requests and replies queue up, and it
     * wakes to a cluster that moved on, handling all of them in one turn.
     */
    private void pause() {
        SimNode target = random.nextBoolean() ? leader().orElse(null) : null;
        SimNode node = target != null ? target : cluster.node(ids.get(random.nextInt(ids.size())));
        cluster.pause(node, "by nemesis");
    }

    /** The leader's or a random node's fsyncs hang for a while: writes complete 50 to 500 ms late. */
    private void stallDisk() {
        SimNode target = random.nextBoolean() ? leader().orElse(null) : null;
        SimNode node = target != null ? target : cluster.node(ids.get(random.nextInt(ids.size())));
        node.diskStallNanos = (50 + random.nextInt(450)) * 1_000_000L;
        node.diskStalledUntilNanos = cluster.events.nowNanos() + (500 + random.nextInt(3_000)) * 1_000_000L;
        cluster.trace("stall disk of " + node.id + " by " + node.diskStallNanos / 1_000_000 + " ms per write until "
                + node.diskStalledUntilNanos / 1_000_000);
    }

    private void transferLeadership() {
        leader().ifPresent(leader -> {
            List<NodeId> voters = cluster.voters();
            NodeId target = voters.get(random.nextInt(voters.size()));
            if (!target.equals(leader.id)) {
                cluster.trace("transfer leadership " + leader.id + " -> " + target);
                leader.server.transferLeadership(target);
            }
        });
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }
}
