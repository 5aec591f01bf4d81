package io.raftkit.core.sim;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.core.RaftNode;
import io.raftkit.core.ReadFailure;
import io.raftkit.core.ReadState;
import io.raftkit.core.Ready;
import io.raftkit.core.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * A whole Raft cluster in one thread under one seed, with no real clock. Time is simulated in
 * milliseconds; every node ticks each {@code tickMillis}; the network delivers from a priority
 * queue in between. Every fault comes from the seed, and the invariants are checked as each step
 * happens, so the same seed replays the same run, byte for byte.
 *
 * <p>A run has a fault phase (partitions, one-way cuts, loss, duplication, delay, crashes with
 * restart, crashes in the middle of a Ready) and a healing phase, in which a leader must emerge
 * within a bound and every write must then complete. The healing phase ends with a quiet stretch
 * without new requests, after which every node must hold and have applied exactly the leader's
 * committed log: heartbeats alone must bring a follower that missed the last appends up to date.
 *
 * <p>Odd seeds drive the nodes the way {@code RaftServer} does, writing in the background: each
 * Ready's write completes up to three ticks later, never before an earlier one (its after-persist
 * messages and {@code advance} wait for it), while the node goes on taking Readys; a crash loses
 * every write not yet completed. Even
 * seeds write each Ready before taking the next.
 */
public final class SimCluster {

    /** The shape of one run. */
    public record Options(int nodes, int ticks, boolean faults) {
    }

    static final int TICK_MILLIS = 10;
    private static final int SETTLE_TICKS = 300;
    private static final int QUIET_TICKS = 150;

    private final long seed;
    private final Options options;
    private final RaftConfig config;
    private final SplittableRandom random;
    private final TreeMap<NodeId, SimNode> nodes = new TreeMap<>();
    private final List<NodeId> ids = new ArrayList<>();
    private final SimNetwork network;
    private final Invariants invariants = new Invariants();
    private final SimClients clients;
    private final StringBuilder trace;
    private long nowMillis;
    private long tick;
    private boolean healing;
    private double midReadyCrashRate;
    private long events;
    private final boolean backgroundWrites;

    public SimCluster(long seed, Options options, boolean traced) {
        this.seed = seed;
        this.options = options;
        this.random = new SplittableRandom(seed);
        this.backgroundWrites = (seed & 1) == 1; // from the seed without a draw: even seeds replay as before
        // Flow-control limits vary by seed: tiny batches and windows reach states (a leader's
        // old-term entries acknowledged apart from its no-op) that large batches never show.
        int[] batchSizes = {1, 2, 4, 64};
        // Half the seeds run without CheckQuorum: a cut-off leader then stays leader until it hears
        // a newer term, which is what tests ReadIndex. With CheckQuorum it steps down about when a
        // successor is elected, and a leader that served reads without any confirmation failed
        // 1 seed in 1,000.
        boolean checkQuorum = (seed & 2) == 0;
        this.config = RaftConfig.builder().electionTimeoutTicks(10, 20).heartbeatIntervalTicks(2)
                .checkQuorum(checkQuorum)
                .maxEntriesPerAppend(batchSizes[random.nextInt(batchSizes.length)])
                .maxInflightAppends(1 + random.nextInt(4)).build();
        this.trace = traced ? new StringBuilder(1 << 16) : null;
        for (int i = 1; i <= options.nodes(); i++) {
            ids.add(NodeId.of("n" + i));
        }
        ClusterConfig cluster = ClusterConfig.ofVoters(ids);
        for (NodeId id : ids) {
            SimNode node = new SimNode(id, cluster, config);
            node.start(random.nextLong());
            nodes.put(id, node);
        }
        this.network = new SimNetwork(random.split());
        this.clients = new SimClients(this, random.split(), 3);
    }

    /** Runs the whole schedule; throws {@link SafetyViolation} on the first broken property. */
    public Result run() {
        int faultTicks = options.faults() ? options.ticks() * 7 / 10 : 0;
        long nextFaultTick = 20;
        while (tick < options.ticks()) {
            long nextTickAt = (tick + 1) * TICK_MILLIS;
            for (SimNetwork.Delivery d = network.peek(); d != null && d.atMillis() < nextTickAt; d = network.peek()) {
                network.poll();
                nowMillis = d.atMillis();
                deliver(d.message());
            }
            nowMillis = nextTickAt;
            tick++;
            trace("tick " + tick);
            if (tick < faultTicks && tick >= nextFaultTick) {
                nemesis();
                nextFaultTick = tick + 20 + random.nextInt(150);
            } else if (tick == faultTicks && options.faults()) {
                heal();
            }
            restartDue();
            for (SimNode node : nodes.values()) {
                if (node.up) {
                    completeWrites(node);
                }
                if (node.up) {
                    node.raft.tick();
                    processReady(node);
                }
            }
            clients.step(tick);
            if (healing && tick == faultTicks + SETTLE_TICKS) {
                requireLeader();
            }
        }
        if (healing) {
            requireCaughtUp();
        }
        return new Result(seed, options, clients.writesAcked, clients.readsServed, invariants.committedUpTo(), events,
                trace == null ? null : trace.toString());
    }

    /** What a run did, for reports and for the determinism check. */
    public record Result(long seed, Options options, long writesAcked, long readsServed, long committed, long events,
                         String trace) {
    }

    // ---------------------------------------------------------------- driver, as a real one would do it

    private void deliver(RaftMessage m) {
        SimNode to = nodes.get(m.to());
        if (!to.up || !network.stillDeliverable(m)) {
            if (trace != null) {
                trace("drop " + describe(m));
            }
            return;
        }
        if (trace != null) {
            trace("deliver " + describe(m));
        }
        to.raft.step(m);
        processReady(to);
    }

    /** Carries out the node's Ready in the order Ready's contract demands, possibly crashing part-way. */
    void processReady(SimNode node) {
        while (node.up && node.raft.hasReady()) {
            events++;
            RaftNode raft = node.raft;
            Ready ready = raft.ready();
            // Crashes are most telling where durable state changes (a vote, a new term), in a new
            // leader's first Ready (its no-op still only local), and where a leader commits entries
            // of earlier terms (the Figure 8 moment, §5.4.2): those Readies are far likelier to be
            // cut short than the rest. The last two are rare, so a strong bias costs no progress.
            boolean firstAsLeader = raft.role() == Role.LEADER && node.lastRole != Role.LEADER;
            node.lastRole = raft.role();
            double crashRate = midReadyCrashRate;
            if (firstAsLeader || (raft.role() == Role.LEADER && commitsEarlierTerm(ready, raft.term()))) {
                crashRate *= 400;
            } else if (ready.hardState() != null) {
                crashRate *= 25;
            }
            int crashAfter = crashRate > 0 && random.nextDouble() < crashRate ? random.nextInt(4) : -1;
            // 0: after the early messages; 1: after persisting; 2: after sending; 3: after applying.
            sendAll(ready.messagesBeforePersist());
            if (crashAfter == 0) {
                crashMidReady(node, "after sending early messages");
                return;
            }
            if (backgroundWrites) {
                // Queued behind earlier writes; crash points 1 and 2 fall inside completeWrites.
                long due = tick + random.nextInt(4);
                node.pendingWrites.add(new SimNode.PendingWrite(ready,
                        node.pendingWrites.isEmpty() ? due : Math.max(due, node.pendingWrites.peekLast().dueTick())));
                applyAndServe(node, ready);
                invariants.checkCommit(node);
                invariants.checkLeader(raft);
                if (crashAfter == 3) {
                    crashMidReady(node, "after applying");
                    return;
                }
                continue;
            }
            for (LogEntry e : ready.entries()) {
                invariants.checkWritten(raft, e);
            }
            node.disk.append(ready.entries());
            if (ready.hardState() != null) {
                node.disk.save(ready.hardState());
            }
            if (crashAfter == 1) {
                crashMidReady(node, "after persisting");
                return;
            }
            sendAll(ready.messages());
            if (crashAfter == 2) {
                crashMidReady(node, "after sending");
                return;
            }
            applyAndServe(node, ready);
            raft.advance(ready);
            invariants.checkCommit(node);
            invariants.checkLeader(raft);
            if (crashAfter == 3) {
                crashMidReady(node, "after applying");
                return;
            }
        }
    }

    /** Applies the Ready's committed entries and serves the reads they make servable. */
    private void applyAndServe(SimNode node, Ready ready) {
        RaftNode raft = node.raft;
        if (trace != null && raft.commitIndex() > node.tracedCommit) {
            node.tracedCommit = raft.commitIndex();
            trace("commit " + node.id + " " + node.tracedCommit);
        }
        if (trace != null && !ready.committedEntries().isEmpty()) {
            List<LogEntry> c = ready.committedEntries();
            LogEntry first = c.get(0);
            LogEntry last = c.get(c.size() - 1);
            trace("apply " + node.id + " " + first.index() + "@" + first.term() + ".." + last.index() + "@" + last.term());
        }
        for (LogEntry e : ready.committedEntries()) {
            invariants.checkApplied(node.id, e);
            Long value = node.apply(e);
            clients.onApplied(node, e.index(), e.term(), value);
            serveReads(node);
        }
        for (ReadState rs : ready.readStates()) {
            node.pendingReads.add(rs);
        }
        serveReads(node);
        for (ReadFailure rf : ready.readFailures()) {
            clients.onReadFailed(rf.requestId(), rf.leaderHint().orElse(null));
        }
    }

    /** Background writes: completes, oldest first, the pending writes due by this tick. */
    private void completeWrites(SimNode node) {
        while (node.up && !node.pendingWrites.isEmpty() && node.pendingWrites.peek().dueTick() <= tick) {
            Ready ready = node.pendingWrites.poll().ready();
            RaftNode raft = node.raft;
            for (LogEntry e : ready.entries()) {
                invariants.checkWritten(raft, e);
            }
            node.disk.append(ready.entries());
            if (ready.hardState() != null) {
                node.disk.save(ready.hardState());
            }
            if (midReadyCrashRate > 0 && random.nextDouble() < midReadyCrashRate * 25) {
                crashMidReady(node, "after a background write");
                return;
            }
            if (trace != null) {
                trace("written " + node.id + " " + ready.entries().size() + " entries"
                        + (ready.hardState() != null ? ", " + ready.hardState() : ""));
            }
            sendAll(ready.messages());
            raft.advance(ready);
            invariants.checkCommit(node);
            invariants.checkLeader(raft);
        }
        processReady(node);
    }

    private static boolean commitsEarlierTerm(Ready ready, long term) {
        List<LogEntry> committed = ready.committedEntries();
        return !committed.isEmpty() && committed.get(0).term() < term;
    }

    private void serveReads(SimNode node) {
        for (var it = node.pendingReads.iterator(); it.hasNext(); ) {
            ReadState rs = it.next();
            if (rs.readIndex() <= node.appliedIndex) {
                it.remove();
                clients.onRead(node, rs.requestId(), node.appliedIndex);
            }
        }
    }

    private void sendAll(List<RaftMessage> messages) {
        for (RaftMessage m : messages) {
            if (!network.send(m, nowMillis) && trace != null) {
                trace("lost " + describe(m));
            }
        }
    }

    // ---------------------------------------------------------------- faults

    private void nemesis() {
        int action = random.nextInt(11);
        switch (action) {
            case 0, 1 -> partitionRandomHalves();
            case 2 -> oneWayCut();
            case 3, 4 -> {
                network.healAll();
                trace("heal network");
            }
            case 5, 6 -> crashRandomNode();
            case 7 -> restartCrashed();
            case 8 -> {
                network.lossRate = random.nextDouble() * 0.2;
                network.duplicateRate = random.nextDouble() * 0.05;
                network.maxDelayMillis = 2 + random.nextInt(40);
                midReadyCrashRate = random.nextDouble() * 0.002;
                trace("network loss=" + fmt(network.lossRate) + " dup=" + fmt(network.duplicateRate)
                        + " maxDelay=" + network.maxDelayMillis);
            }
            case 9 -> isolateLeader();
            case 10 -> crashLeader();
            default -> throw new AssertionError("unhandled nemesis action " + action);
        }
    }

    private void partitionRandomHalves() {
        network.healAll();
        List<NodeId> shuffled = new ArrayList<>(ids);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            java.util.Collections.swap(shuffled, i, random.nextInt(i + 1));
        }
        int split = 1 + random.nextInt(ids.size() - 1);
        List<NodeId> left = shuffled.subList(0, split);
        for (NodeId a : left) {
            for (NodeId b : shuffled.subList(split, shuffled.size())) {
                network.cut(a, b);
                network.cut(b, a);
            }
        }
        trace("partition " + left + " | " + shuffled.subList(split, shuffled.size()));
    }

    private void oneWayCut() {
        NodeId from = ids.get(random.nextInt(ids.size()));
        NodeId to = ids.get(random.nextInt(ids.size()));
        if (!from.equals(to)) {
            network.cut(from, to);
            trace("cut " + from + " -> " + to);
        }
    }

    private void isolateLeader() {
        for (SimNode node : nodes.values()) {
            if (node.up && node.raft.role() == Role.LEADER) {
                for (NodeId other : ids) {
                    if (!other.equals(node.id)) {
                        network.cut(node.id, other);
                        network.cut(other, node.id);
                    }
                }
                trace("isolate leader " + node.id);
                return;
            }
        }
    }

    private void crashLeader() {
        for (SimNode node : nodes.values()) {
            if (node.up && node.raft.role() == Role.LEADER) {
                crash(node, "leader, by nemesis");
                return;
            }
        }
    }

    private void crashRandomNode() {
        SimNode node = nodes.get(ids.get(random.nextInt(ids.size())));
        if (node.up) {
            crash(node, "by nemesis");
        }
    }

    /**
     * A crash inside a Ready. Half of these processes come straight back (a supervisor restarts
     * them within a few ticks), so the node rejoins the same election it crashed in: that is where
     * a vote sent before it was durable shows (§5.2, Figure 2 "persistent state").
     */
    private void crashMidReady(SimNode node, String why) {
        crash(node, why);
        if (random.nextBoolean()) {
            node.restartAtTick = tick + 1 + random.nextInt(3);
        }
    }

    private void restartDue() {
        for (SimNode node : nodes.values()) {
            if (!node.up && node.restartAtTick != 0 && node.restartAtTick <= tick) {
                restart(node);
            }
        }
    }

    private void crash(SimNode node, String why) {
        trace("crash " + node.id + " " + why);
        node.crash();
        clients.onCrash(node.id);
    }

    private void restartCrashed() {
        for (SimNode node : nodes.values()) {
            if (!node.up) {
                restart(node);
            }
        }
    }

    private void restart(SimNode node) {
        node.restartAtTick = 0;
        node.start(random.nextLong());
        invariants.checkRestart(node, node.disk.hardState().commitIndex());
        trace("restart " + node.id + " term=" + node.raft.term() + " last=" + node.raft.lastIndex()
                + " commit=" + node.raft.commitIndex());
        processReady(node);
    }

    private void heal() {
        healing = true;
        network.healAll();
        network.lossRate = 0;
        network.duplicateRate = 0;
        network.maxDelayMillis = 5;
        midReadyCrashRate = 0;
        restartCrashed();
        clients.mustCompleteFromTick = tick + SETTLE_TICKS;
        clients.quietFromTick = Math.max(tick + SETTLE_TICKS, options.ticks() - QUIET_TICKS);
        trace("heal all");
    }

    /** After the quiet stretch: one leader, and every node's log, commit and applied index equal to its. */
    private void requireCaughtUp() {
        requireLeader();
        SimNode leader = nodes.values().stream().filter(n -> n.raft.role() == Role.LEADER)
                .max(java.util.Comparator.comparingLong(n -> n.raft.term())).orElseThrow();
        long commit = leader.raft.commitIndex();
        for (SimNode node : nodes.values()) {
            if (!node.up || node.raft.lastIndex() != leader.raft.lastIndex() || node.raft.commitIndex() != commit
                    || node.appliedIndex != commit) {
                StringBuilder states = new StringBuilder();
                nodes.values().forEach(n -> states.append(' ').append(n.raft).append(" applied=").append(n.appliedIndex));
                throw new SafetyViolation("liveness after healing", node.id + " did not catch up with leader " + leader.id
                        + " in a quiet stretch of " + (tick - clients.quietFromTick) + " ticks:" + states);
            }
        }
    }

    private void requireLeader() {
        for (SimNode node : nodes.values()) {
            if (node.raft.role() == Role.LEADER) {
                return;
            }
        }
        StringBuilder states = new StringBuilder();
        nodes.values().forEach(n -> states.append(' ').append(n.raft));
        throw new SafetyViolation("liveness after healing", "no leader " + SETTLE_TICKS + " ticks after healing:" + states);
    }

    // ---------------------------------------------------------------- helpers for clients and traces

    SimNode node(NodeId id) {
        return nodes.get(id);
    }

    NodeId randomNode(RandomGenerator r) {
        return ids.get(r.nextInt(ids.size()));
    }

    long tick() {
        return tick;
    }

    /** The trace so far (null when not traced): after a failure it ends at the violation. */
    String traceSoFar() {
        return trace == null ? null : trace.toString();
    }

    boolean traced() {
        return trace != null;
    }

    void trace(String line) {
        if (trace != null) {
            trace.append(nowMillis).append(' ').append(line).append('\n');
        }
    }

    private static String describe(RaftMessage m) {
        String s = m.toString();
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }

    private static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.3f", d);
    }
}
