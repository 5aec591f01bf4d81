package io.raftkit.core.sim;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.EntryKind;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.core.RaftNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated peer: a RaftNode, its disk, and a state machine whose state is the list of applied
 * commands, so reads can be checked exactly. It carries out each Ready the way a real driver must.
 */
final class SimNode {

    final NodeId id;
    private final ClusterConfig cluster;
    private final RaftConfig config;
    final SimLogStore disk = new SimLogStore();
    RaftNode raft;
    boolean up;
    /** The role at this node's previous Ready, to spot a new leader's first one. */
    io.raftkit.core.Role lastRole;
    int incarnation;
    /** The tick a quick restart is due at after a crash inside a Ready, or 0. */
    long restartAtTick;
    /** Applied commands' payloads in index order, and the applied index. */
    final List<Long> appliedValues = new ArrayList<>();
    long appliedIndex;
    /** The largest command value applied: a read can only see writes already invoked. */
    long maxAppliedValue;
    long lastSeenCommit;
    /** The commit index last written to the trace. */
    long tracedCommit;
    /** Confirmed reads waiting until this node has applied up to their index. */
    final List<io.raftkit.core.ReadState> pendingReads = new ArrayList<>();
    /** Readys taken but not yet written, oldest first (background writes): a crash loses them. */
    final java.util.ArrayDeque<PendingWrite> pendingWrites = new java.util.ArrayDeque<>();

    /** A background write and the tick by which it is durable; due ticks never decrease along the queue. */
    record PendingWrite(io.raftkit.core.Ready ready, long dueTick) {
    }

    SimNode(NodeId id, ClusterConfig cluster, RaftConfig config) {
        this.id = id;
        this.cluster = cluster;
        this.config = config;
    }

    /** (Re)starts from what the disk holds: the state machine is rebuilt by replaying the log. */
    void start(long seed) {
        List<LogEntry> stored = disk.entries();
        raft = new RaftNode(id, cluster, config, new SplittableRandom(seed), disk.hardState(), stored, 0, 0);
        appliedValues.clear();
        appliedIndex = 0;
        maxAppliedValue = 0;
        pendingReads.clear();
        lastSeenCommit = raft.commitIndex();
        tracedCommit = lastSeenCommit;
        up = true;
        lastRole = raft.role();
        incarnation++;
    }

    void crash() {
        up = false;
        raft = null;
        pendingWrites.clear();
    }

    /** Applies one committed entry; returns the command's value, or null for a no-op. */
    Long apply(LogEntry e) {
        if (e.index() != appliedIndex + 1) {
            throw new IllegalStateException(id + " applies index " + e.index() + " after " + appliedIndex);
        }
        appliedIndex = e.index();
        if (e.kind() != EntryKind.COMMAND) {
            return null;
        }
        long value = decode(e.payload());
        appliedValues.add(value);
        maxAppliedValue = Math.max(maxAppliedValue, value);
        return value;
    }

    static byte[] encode(long value) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value >>> (56 - 8 * i));
        }
        return b;
    }

    static long decode(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }
}
