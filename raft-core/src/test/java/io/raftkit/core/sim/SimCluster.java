package io.raftkit.core.sim;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.core.server.SnapshotPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * A whole Raft cluster in one thread under one seed, with no real clock, running the production
 * driver: each node is a real {@code RaftServer} on a {@link SimPlatform} (virtual time, a loop and
 * a log writer whose turns are events), a {@link SimTransport} into the {@link SimNetwork} and a
 * {@link SimLogStore}. Every fault comes from the seed, and the invariants are checked as each step
 * happens, so the same seed replays the same run, byte for byte.
 *
 * <p>A run has a fault phase (see {@link SimNemesis}, plus crashes inside steps: {@link Crashes})
 * and a healing phase, in which a leader must emerge within a bound and every client operation must
 * then complete. The healing phase ends with a quiet stretch without new requests, after which
 * every node must hold and have applied exactly the leader's committed log, with the same state.
 * Then the clients' history is checked for linearizability.
 */
public final class SimCluster {

    /** The shape of one run: voters and learners, its length, and whether faults are injected. */
    public record Options(int voters, int learners, int ticks, boolean faults) {
        public int nodes() {
            return voters + learners;
        }
    }

    static final int TICK_MILLIS = 10;
    private static final long TICK_NANOS = TICK_MILLIS * 1_000_000L;
    private static final int SETTLE_TICKS = 300;
    private static final int QUIET_TICKS = 150;
    /**
     * Crashes are likelier where they tell most: in a new leader's Readys until its term is on its
     * disk (its no-op still only local, its first messages in its new term), and where a leader
     * commits entries of earlier terms (the Figure 8 moment, §5.4.2); and where the hard state (a
     * vote, a term) changes. The first two are rare, so a strong bias costs no progress.
     */
    static final double BOOST_NEW_LEADER = 400;
    static final double BOOST_HARD_STATE = 25;
    /** The driver's own logging would drown the test output: warnings and errors only. */
    private static final Logger SERVER_LOG = Logger.getLogger("io.raftkit.core.server");

    static {
        SERVER_LOG.setLevel(Level.WARNING);
    }

    private final long seed;
    private final Options options;
    private final RaftConfig config;
    private final ClusterConfig members;
    private final TreeMap<NodeId, SimNode> nodes = new TreeMap<>();
    private final List<NodeId> ids = new ArrayList<>();
    private final SplittableRandom nodeRandom;
    private final long maxDiskLatencyNanos;
    final EventQueue events = new EventQueue();
    final Violations violations = new Violations();
    final Invariants invariants = new Invariants(violations);
    final Crashes crashes;
    final SimNetwork network;
    final SimClients clients;
    final MessageBudget budget;
    private final SimNemesis nemesis;
    final SimMembership membership;
    private final List<SimNode> spares = new ArrayList<>();
    private final SplittableRandom random;
    private final StringBuilder trace;
    private long tick;
    private boolean healing;
    /**
     * When the last message sent in the fault phase arrives. Until then the cluster is not healed:
     * a TimeoutNow held for 5 s (seed 460) still makes its target campaign, legitimately, and the
     * writes of the leader it deposes are overwritten.
     */
    private long faultMessagesArriveByNanos;
    long readys;
    /**
     * Snapshots in this run (null: none, the log only grows). Drawn from a stream of its own, so the
     * rest of a seed's draws are as before: 3 seeds in 4 take snapshots, at thresholds from every 3
     * entries (tiny: compaction and InstallSnapshot all the time) to every 300, with kept tails of
     * 0 to 20 entries and chunks of 8 bytes (a register snapshot is about 70: many chunks in flight,
     * lost, duplicated and reordered by the network's faults) to 1 KiB.
     */
    final SnapshotPolicy snapshotPolicy;
    long snapshotsSaved;
    long snapshotsInstalled;
    /** Reads of evicted entries that leaders asked their drivers for (issue 16). */
    long logReads;

    public SimCluster(long seed, Options options, boolean traced) {
        this.seed = seed;
        this.options = options;
        this.random = new SplittableRandom(seed);
        // Flow-control limits vary by seed: tiny batches and windows reach states (a leader's
        // old-term entries acknowledged apart from its no-op) that large batches never show.
        int[] batchSizes = {1, 2, 4, 64};
        // Half the seeds run without CheckQuorum: a cut-off leader then stays leader until it hears
        // a newer term, which is what tests ReadIndex hardest.
        boolean checkQuorum = (seed & 2) == 0;
        // Heartbeat intervals vary too: a long one (the KV store's default is a fifth of the
        // election timeout) leaves a read round open for longer, which is where ReadIndex bugs live.
        int[] heartbeats = {1, 2, 2, 3, 5, 9};
        RaftConfig.Builder builder = RaftConfig.builder().tickMillis(TICK_MILLIS).electionTimeoutTicks(10, 20)
                .heartbeatIntervalTicks(heartbeats[random.nextInt(heartbeats.length)])
                .checkQuorum(checkQuorum)
                .maxEntriesPerAppend(batchSizes[random.nextInt(batchSizes.length)])
                .maxInflightAppends(1 + random.nextInt(4));
        this.config = logCache(builder, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 18)).build();
        long[] diskLatencies = {0, 1_000_000, 10_000_000, 30_000_000, 60_000_000};
        this.maxDiskLatencyNanos = diskLatencies[random.nextInt(diskLatencies.length)];
        this.trace = traced ? new StringBuilder(1 << 16) : null;
        this.snapshotPolicy = snapshotPolicy(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 16));
        TreeSet<NodeId> voters = new TreeSet<>();
        TreeSet<NodeId> learners = new TreeSet<>();
        for (int i = 1; i <= options.nodes(); i++) {
            NodeId id = NodeId.of("n" + i);
            ids.add(id);
            (i <= options.voters() ? voters : learners).add(id);
        }
        this.members = new ClusterConfig(voters, learners);
        this.nodeRandom = random.split();
        this.network = new SimNetwork(events, random.split(), this::deliver);
        this.crashes = new Crashes(this, random.split());
        this.membership = new SimMembership(this, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17));
        // Spares added at run time are peers too: a leader of more members sends more (measured: a
        // ratio of exactly the budget in one of 2,000 seeds when they were not counted).
        boolean withSpares = membership.enabled && options.faults();
        this.budget = new MessageBudget(options.nodes() - 1 + (withSpares ? SimMembership.SPARES : 0), violations);
        this.clients = new SimClients(this, random.split(), 5);
        this.nemesis = new SimNemesis(this, network, random.split(), ids);
        for (NodeId id : ids) {
            SimNode node = new SimNode(id, this);
            node.bootstrap = members;
            nodes.put(id, node);
        }
        if (withSpares) {
            for (int i = 1; i <= SimMembership.SPARES; i++) {
                SimNode spare = new SimNode(NodeId.of("n" + (options.nodes() + i)), this);
                TreeSet<NodeId> learnersAndSpare = new TreeSet<>(learners);
                learnersAndSpare.add(spare.id);
                spare.bootstrap = new ClusterConfig(voters, learnersAndSpare);
                spares.add(spare);
                nodes.put(spare.id, spare);
            }
        }
        trace("cluster " + members + " " + config + " disk latency up to " + maxDiskLatencyNanos / 1_000_000 + " ms, "
                + (snapshotPolicy == null ? "no snapshots" : snapshotPolicy));
        for (NodeId id : ids) {
            nodes.get(id).start(members, config, nodeRandom.split(), maxDiskLatencyNanos);
        }
    }

    List<SimNode> spares() {
        return spares;
    }

    /** A spare node starts, empty, knowing the members and itself as a learner: it waits to be added. */
    void startSpare(SimNode spare) {
        trace("start spare " + spare.id);
        spare.start(spare.bootstrap, config, nodeRandom.split(), maxDiskLatencyNanos);
    }

    /**
     * Issue 16: two seeds in three keep a tiny cache of applied entries (none, one to eight entries,
     * or 30 to 1,000 bytes, where a register command is about 20), so leaders read evicted entries
     * back from the store all the time, each read a disk task with its latency and stalls, answered
     * in order with the writes around it and lost with a crash; the rest keep the default cache. Drawn
     * from a stream of its own, so the other draws of a seed are unchanged.
     */
    private static RaftConfig.Builder logCache(RaftConfig.Builder builder, SplittableRandom r) {
        if (r.nextInt(3) == 0) {
            return builder;
        }
        int[] entries = {0, 1, 2, 3, 8, 1000};
        long[] bytes = {0, 30, 100, 1000, Long.MAX_VALUE};
        int e = entries[r.nextInt(entries.length)];
        long b = bytes[r.nextInt(bytes.length)];
        return builder.logCache(e, e == 1000 && b == Long.MAX_VALUE ? 0 : b);
    }

    private static SnapshotPolicy snapshotPolicy(SplittableRandom r) {
        if (r.nextInt(4) == 0) {
            return null;
        }
        long[] every = {3, 5, 10, 30, 100, 300};
        long[] kept = {0, 0, 2, 5, 20};
        int[] chunks = {8, 16, 30, 1024};
        // Drawn last, so the draws before it (and the seeds that find mutants through them) are as they were.
        double[] fractions = {0, 0, 0, 0.1, 1.0};
        return new SnapshotPolicy(every[r.nextInt(every.length)], 0, kept[r.nextInt(kept.length)], chunks[r.nextInt(chunks.length)],
                fractions[r.nextInt(fractions.length)]);
    }

    /** Runs the whole schedule; throws {@link SafetyViolation} on the first broken property. */
    public Result run() {
        int faultTicks = options.faults() ? options.ticks() * 7 / 10 : 0;
        long nextFaultTick = 20;
        long end = options.ticks() * TICK_NANOS;
        while (tick < options.ticks()) {
            long nextTickAt = (tick + 1) * TICK_NANOS;
            while (events.runNext(nextTickAt)) {
                violations.rethrow();
            }
            events.advanceTo(nextTickAt);
            tick++;
            budget.roll(events.nowNanos(), true);
            if (tick == 1 && options.faults()) {
                nemesis.start();
            }
            if (tick < faultTicks) {
                membership.step(tick);
            }
            if (tick < faultTicks && tick >= nextFaultTick) {
                nemesis.strike();
                nextFaultTick = tick + nemesis.nextGapTicks();
            } else if (tick == faultTicks && options.faults()) {
                heal();
            }
            restartDue();
            clients.step(tick);
            violations.rethrow();
            if (healing && tick == faultTicks + SETTLE_TICKS) {
                requireLeader();
            }
            if (healing && tick >= faultTicks + SETTLE_TICKS && clients.mustCompleteFromTick == Long.MAX_VALUE && converged()) {
                // From here every request must complete in time. Not sooner: a learner the lone
                // voter left thousands of entries behind legitimately keeps a read waiting while it
                // catches up (awaitCaughtUp checks that it does).
                clients.mustCompleteFromTick = tick;
                trace("converged: every request from now on must complete");
            }
        }
        events.runUntil(end);
        violations.rethrow();
        if (healing) {
            awaitCaughtUp();
        }
        Optional<String> anomaly = clients.checkLinearizable();
        if (anomaly.isPresent()) {
            throw new SafetyViolation("linearizability", anomaly.get());
        }
        return new Result(seed, options, clients.writesAcked, clients.readsServed, invariants.committedUpTo(), readys,
                crashes.struck, budget.worstRatio, invariants.firstLeaderTerm(), snapshotsSaved, snapshotsInstalled,
                membership.changesCompleted, logReads, trace == null ? null : trace.toString());
    }

    /** What a run did, for reports and for the determinism check. */
    public record Result(long seed, Options options, long writesAcked, long readsServed, long committed, long readys,
                         long crashesInSteps, double worstMessageRatio, long firstLeaderTerm, long snapshotsSaved,
                         long snapshotsInstalled, long membershipChanges, long logReads, String trace) {
    }

    // ---------------------------------------------------------------- the network

    /** A node's transport sends {@code m}. */
    void send(RaftMessage m) {
        budget.countSent(m);
        if (!network.send(m) && trace != null) {
            trace("lost " + describe(m));
        }
    }

    private void deliver(RaftMessage m) {
        SimNode to = nodes.get(m.to());
        boolean overflow = to.paused(events.nowNanos()) && to.pauseBuffer-- <= 0;
        if (!to.up || !network.stillDeliverable(m) || overflow) {
            if (trace != null) {
                trace("drop " + describe(m));
            }
            return;
        }
        if (trace != null) {
            trace("deliver " + describe(m));
        }
        to.transport.deliver(m);
    }

    // ---------------------------------------------------------------- pauses

    /** Probability that a leader stalls at a moment where ReadIndex is exposed (see SimNode). */
    double pauseRate;

    void maybePauseLeader(SimNode node) {
        if (pauseRate > 0 && !node.paused(events.nowNanos()) && random.nextDouble() < pauseRate) {
            pause(node, "as its AppendEntries carry a read round no heartbeat carried");
        }
    }

    /** Stalls {@code node}'s loop for longer than an election timeout; its sockets overflow soon. */
    void pause(SimNode node, String why) {
        long millis = 150 + random.nextInt(2_000);
        int buffer = random.nextInt(20);
        node.pause(events.nowNanos() + millis * 1_000_000, buffer);
        trace("pause " + node.id + " for " + millis + " ms, " + buffer + " messages buffered, " + why);
    }

    // ---------------------------------------------------------------- crashes and restarts

    void crash(SimNode node, String why) {
        trace("crash " + node.id + " " + why);
        node.crash();
    }

    /**
     * A crash inside a step. Half of these processes come straight back (a supervisor restarts
     * them within a few ticks), so the node rejoins the same election it crashed in: that is where
     * a vote sent before it was durable shows (§5.2, Figure 2 "persistent state").
     */
    void crashInStep(SimNode node, String where) {
        crash(node, where);
        if (random.nextBoolean()) {
            node.restartAtNanos = events.nowNanos() + (1 + random.nextInt(3)) * TICK_NANOS;
        }
    }

    private void restartDue() {
        for (SimNode node : nodes.values()) {
            if (!node.up && node.everStarted() && node.restartAtNanos != 0 && node.restartAtNanos <= events.nowNanos()) {
                restart(node);
            }
        }
    }

    void restartCrashed() {
        for (SimNode node : nodes.values()) {
            if (!node.up && node.everStarted()) {
                restart(node);
            }
        }
    }

    private void restart(SimNode node) {
        node.restartAtNanos = 0;
        node.start(node.bootstrap, config, nodeRandom.split(), maxDiskLatencyNanos);
        trace("restart " + node.id + " " + node.disk.loadHardState() + " log " + node.disk.firstIndex() + ".."
                + node.disk.lastIndex());
    }

    private void heal() {
        healing = true;
        network.healAll();
        network.lossRate = 0;
        network.duplicateRate = 0;
        network.holdRate = 0;
        network.maxDelayMillis = 5;
        faultMessagesArriveByNanos = network.lastDeliveryNanos;
        crashes.rate = 0;
        pauseRate = 0;
        for (SimNode node : nodes.values()) {
            node.diskStalledUntilNanos = 0;
            node.armed = null; // a crash armed in the fault phase must not strike in the healed one
        }
        restartCrashed();
        clients.quietFromTick = Math.max(tick + SETTLE_TICKS, options.ticks() - QUIET_TICKS);
        trace("heal all");
    }

    // ---------------------------------------------------------------- liveness

    /**
     * After the quiet stretch: one leader, and every node's log, commit, applied index and state
     * equal to its. A node that fell far behind may take longer than the stretch (one entry per
     * message with the smallest batches, and a lone voter commits without its learners), so the run
     * goes on, quietly, while every lagging node keeps gaining; one that gains nothing for a whole
     * quiet stretch is stuck, and that fails the run.
     */
    private void awaitCaughtUp() {
        // One slot per node, spares included: sized by ids (the first nodes only), a spare lagging at
        // this point overran it (found by seed 2537 once catching up from the store made lagging longer).
        long[] lastApplied = new long[nodes.size()];
        long lastGain = tick;
        while (true) {
            SimNode leader = currentLeader().orElseThrow(() -> noLeader("at the end of the quiet stretch"));
            RaftStatus l = leader.server.status();
            long digest = leader.registers.digest();
            boolean caughtUp = true;
            int i = 0;
            java.util.Set<NodeId> members = l.members().members();
            for (SimNode node : nodes.values()) {
                if (!members.contains(node.id)) {
                    i++;
                    continue; // removed, or a spare never added: nothing to catch up with
                }
                RaftStatus s = node.up ? node.server.status() : null;
                if (s == null || s.lastLogIndex() != l.lastLogIndex() || s.commitIndex() != l.commitIndex()
                        || s.appliedIndex() != l.commitIndex() || node.registers.digest() != digest) {
                    caughtUp = false;
                    if (s != null && s.appliedIndex() > lastApplied[i]) {
                        lastApplied[i] = s.appliedIndex();
                        lastGain = tick;
                    }
                }
                i++;
            }
            if (caughtUp) {
                return;
            }
            if (tick - lastGain > QUIET_TICKS) {
                throw new SafetyViolation("liveness after healing", "a node did not catch up with leader " + leader.id
                        + " and gained nothing in " + QUIET_TICKS + " ticks:" + states());
            }
            runQuietly(10);
        }
    }

    /** Runs {@code ticks} more ticks with no new client requests and no faults. */
    private void runQuietly(int ticks) {
        for (int t = 0; t < ticks; t++) {
            long nextTickAt = (tick + 1) * TICK_NANOS;
            while (events.runNext(nextTickAt)) {
                violations.rethrow();
            }
            events.advanceTo(nextTickAt);
            tick++;
            budget.roll(events.nowNanos(), true);
        }
    }

    /**
     * Whether the faults are over (every message of the fault phase arrived, no loop paused), a
     * leader exists and every node has applied what it committed (give or take a round trip's worth).
     */
    private boolean converged() {
        Optional<SimNode> leader = currentLeader();
        if (leader.isEmpty() || events.nowNanos() < faultMessagesArriveByNanos) {
            return false;
        }
        long commit = leader.get().server.status().commitIndex();
        if (commit < leader.get().server.status().lastLogIndex() - 10) {
            // A backlog the leader cannot commit yet: a voter just promoted (or back from a crash)
            // is still catching up, one small batch at a time, and every write waits for it (seeds
            // 1867 and 2147: with 50 entries allowed here, at 4 entries per 50 ms disk write, a write
            // made just after took longer than its timeout). Five clients keep at most a few
            // entries uncommitted on a healthy leader.
            return false;
        }
        java.util.Set<NodeId> members = leader.get().server.status().members().members();
        for (SimNode node : nodes.values()) {
            if (!members.contains(node.id)) {
                continue;
            }
            if (!node.up || node.paused(events.nowNanos()) || node.server.status().appliedIndex() < commit - 50) {
                return false;
            }
        }
        return true;
    }

    private void requireLeader() {
        if (currentLeader().isEmpty()) {
            throw noLeader(SETTLE_TICKS + " ticks after healing");
        }
    }

    private SafetyViolation noLeader(String when) {
        return new SafetyViolation("liveness after healing", "no leader " + when + ":" + states());
    }

    private String states() {
        StringBuilder out = new StringBuilder();
        for (SimNode n : nodes.values()) {
            if (!n.up) {
                out.append(' ').append(n.id).append("[down]");
                continue;
            }
            RaftStatus s = n.server.status();
            out.append(' ').append(n.id).append('[').append(s.role()).append(" term=").append(s.term())
                    .append(" commit=").append(s.commitIndex()).append(" applied=").append(s.appliedIndex())
                    .append(" last=").append(s.lastLogIndex()).append(']');
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- helpers

    /** The up node that leads the newest term, if any. */
    Optional<SimNode> currentLeader() {
        return nodes.values().stream().filter(n -> n.up && n.server.status().role() == Role.LEADER)
                .max(Comparator.comparingLong(n -> n.server.status().term()));
    }

    SimNode node(NodeId id) {
        return nodes.get(id);
    }

    /** The voters of the leader's configuration (the initial ones while no node leads). */
    List<NodeId> voters() {
        return List.copyOf(currentMembers().voters());
    }

    /** A member of the leader's configuration (of the initial one while no node leads): clients' targets. */
    NodeId randomNode(RandomGenerator r) {
        List<NodeId> targets = List.copyOf(currentMembers().members());
        return targets.get(r.nextInt(targets.size()));
    }

    private ClusterConfig currentMembers() {
        return currentLeader().map(l -> l.server.status().members()).orElse(members);
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
            trace.append(events.nowNanos() / 1_000_000).append('.').append(events.nowNanos() / 100_000 % 10)
                    .append(' ').append(line).append('\n');
        }
    }

    static String kind(RaftMessage m) {
        return m.getClass().getSimpleName() + " to " + m.to();
    }

    private static String describe(RaftMessage m) {
        String s = m.toString();
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }
}
