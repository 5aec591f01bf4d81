package io.raftkit.core.sim;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.core.RaftNode;
import io.raftkit.core.Ready;
import io.raftkit.core.Role;
import io.raftkit.core.server.DriverProbe;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.SnapshotPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated peer across its incarnations: a disk that survives crashes, and, while it is up, a
 * production {@link RaftServer} on a {@link SimPlatform}, a {@link SimTransport} and a fresh
 * {@link SimRegisters} (the state machine is rebuilt from the log after every restart).
 */
final class SimNode implements DriverProbe {

    final NodeId id;
    private final SimCluster cluster;
    final SimLogStore disk;
    final SimSnapshotStore snapshots;
    final Violations violations;
    RaftServer server;
    SimTransport transport;
    SimRegisters registers;
    /** The protocol state of the running incarnation, as the driver last showed it (for checks). */
    RaftNode raft;
    boolean up;
    int incarnation;
    /** The simulated time a quick restart is due at after a crash inside a step, or 0. */
    long restartAtNanos;
    /** Until when the node's loop is paused (a stall: GC, SIGSTOP); its disk and network go on. */
    long pausedUntilNanos;
    /**
     * How many more messages a paused node's sockets take in before they overflow; later ones are
     * lost, as when a stalled process stops reading and its peers' connections give up.
     */
    int pauseBuffer;
    /** Until when, and by how much, this node's disk writes are slowed (fsync stalls). */
    long diskStalledUntilNanos;
    long diskStallNanos;
    /** The newest read round an AppendEntries without entries (a heartbeat) of this leader carried. */
    private long heartbeatRound;
    /** A crash waiting for its point in carrying out a Ready, or null. */
    Crashes.Armed armed;
    private Role lastRole = Role.FOLLOWER;
    long lastSeenCommit;
    private long tracedCommit;
    /** The commit index the disk held when this incarnation started; checked at its first turn. */
    private long durableCommitAtStart = -1;

    /** The members this node is started with: the cluster's, or, for a spare to be added, those plus itself as a learner. */
    ClusterConfig bootstrap;

    SimNode(NodeId id, SimCluster cluster) {
        this.id = id;
        this.cluster = cluster;
        this.disk = new SimLogStore(this, cluster);
        this.snapshots = new SimSnapshotStore(this, cluster);
        this.violations = cluster.violations;
    }

    /** Whether this node ever ran: a spare runs only once the simulation starts it to add it. */
    boolean everStarted() {
        return incarnation > 0;
    }

    boolean isAlive(int incarnationOfCaller) {
        return up && incarnation == incarnationOfCaller;
    }

    /** (Re)starts from what the disk holds. */
    void start(ClusterConfig members, RaftConfig config, SplittableRandom random, long maxDiskLatencyNanos) {
        incarnation++;
        up = true;
        raft = null;
        lastRole = Role.FOLLOWER;
        armed = null;
        pausedUntilNanos = 0;
        heartbeatRound = 0;
        durableCommitAtStart = disk.loadHardState().commitIndex();
        transport = new SimTransport(this, incarnation, cluster);
        registers = new SimRegisters(this, incarnation, cluster, cluster.snapshotPolicy != null);
        server = RaftServer.builder().self(id).cluster(members).config(config)
                .transport(transport).logStore(disk).stateMachine(registers)
                .snapshotStore(cluster.snapshotPolicy != null ? snapshots : null)
                .snapshotPolicy(cluster.snapshotPolicy != null ? cluster.snapshotPolicy : SnapshotPolicy.DEFAULT)
                .random(random.split()).requestTimeout(Duration.ofMillis(SimClients.TIMEOUT_TICKS * SimCluster.TICK_MILLIS))
                .platform(new SimPlatform(cluster.events, this, incarnation, random.split(), maxDiskLatencyNanos))
                .probe(this).build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            if (!up) {
                return; // the process crashed while starting (resetting its log, say): the next start recovers
            }
            throw violations.record(new SafetyViolation("restart", id + " could not start from its disk: " + e, e));
        }
    }

    /** The process dies: nothing of this incarnation runs again; the disk keeps what was written. */
    void crash() {
        up = false;
        armed = null;
        server = null;
        transport = null;
        raft = null;
    }

    // ---------------------------------------------------------------- DriverProbe

    @Override
    public void readyTaken(RaftNode node, Ready ready) {
        raft = node;
        cluster.readys++;
        cluster.logReads += ready.logReads().size();
        if (cluster.traced() && (!ready.readStates().isEmpty() || !ready.readFailures().isEmpty())) {
            cluster.trace(id + " " + node.role() + " term " + node.term() + " read states " + ready.readStates()
                    + " failures " + ready.readFailures());
        }
        boolean firstAsLeader = node.role() == Role.LEADER && lastRole != Role.LEADER;
        lastRole = node.role();
        double boost = 1;
        // A leader whose term is not on its disk yet is at its most fragile: a crash now makes it
        // restart in its old term (a lone voter then wins the same term again).
        boolean termNotDurable = node.role() == Role.LEADER && disk.loadHardState().term() < node.term();
        if (firstAsLeader || termNotDurable || (node.role() == Role.LEADER && commitsEarlierTerm(ready, node.term()))) {
            boost = SimCluster.BOOST_NEW_LEADER;
        } else if (ready.hardState() != null) {
            boost = SimCluster.BOOST_HARD_STATE;
        }
        cluster.crashes.maybeArm(this, ready, boost);
        if (node.role() == Role.LEADER && carriesUnbroadcastRound(ready)) {
            cluster.maybePauseLeader(this);
        }
    }

    /**
     * Whether a proposal's AppendEntries carry a read round no heartbeat has carried yet: a leader
     * stalling right then, with reads in that round, is where ReadIndex is most exposed.
     */
    private boolean carriesUnbroadcastRound(Ready ready) {
        boolean proposal = false;
        for (io.raftkit.api.message.RaftMessage m : ready.messagesBeforePersist()) {
            if (m instanceof io.raftkit.api.message.AppendEntries ae) {
                if (ae.entries().isEmpty()) {
                    heartbeatRound = Math.max(heartbeatRound, ae.readRound());
                } else if (ae.readRound() > heartbeatRound) {
                    proposal = true;
                }
            }
        }
        return proposal;
    }

    /** Stalls this node's loop until {@code untilNanos}; its sockets take {@code buffer} more messages. */
    void pause(long untilNanos, int buffer) {
        pausedUntilNanos = untilNanos;
        pauseBuffer = buffer;
    }

    boolean paused(long nowNanos) {
        return pausedUntilNanos > nowNanos;
    }

    private static boolean commitsEarlierTerm(Ready ready, long term) {
        List<LogEntry> committed = ready.committedEntries();
        return !committed.isEmpty() && committed.get(0).term() < term;
    }

    @Override
    public void turnEnded(RaftNode node) {
        if (!up) {
            return; // the rest of a step a crash struck in: nothing of it is visible
        }
        raft = node;
        if (durableCommitAtStart >= 0) {
            cluster.invariants.checkRestart(this, node, durableCommitAtStart);
            durableCommitAtStart = -1;
            tracedCommit = node.commitIndex();
        }
        cluster.invariants.checkCommit(this, node);
        cluster.invariants.checkLeader(node, disk.loadHardState().term());
        if (node.commitIndex() > tracedCommit && cluster.traced()) {
            tracedCommit = node.commitIndex();
            cluster.trace("commit " + id + " " + tracedCommit);
        }
    }
}
