package io.raftkit.core;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.RaftMessage;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One Raft peer as a pure state machine. Exactly one thread calls it. It reads no clock, starts no
 * thread and does no I/O: time arrives as {@link #tick()}, input as {@link #step} and
 * {@link #propose}, and everything it wants done leaves as a {@link Ready}.
 *
 * <p>SKELETON: the public surface is fixed; the protocol is being implemented.
 */
public final class RaftNode {

    /**
     * Restores a peer from what its LogStore holds.
     *
     * @param log          the stored entries, consecutive, starting right after the compacted prefix
     * @param snapshotIndex the last compacted index (0 when nothing was compacted)
     * @param snapshotTerm  the term of {@code snapshotIndex} (0 when nothing was compacted)
     */
    public RaftNode(NodeId self, ClusterConfig cluster, RaftConfig config, RandomGenerator random,
                    HardState hardState, List<LogEntry> log, long snapshotIndex, long snapshotTerm) {
        throw new UnsupportedOperationException("RaftNode is being implemented");
    }

    public void tick() {
        throw new UnsupportedOperationException();
    }

    public void step(RaftMessage message) {
        throw new UnsupportedOperationException();
    }

    public ProposeResult propose(byte[] command) {
        throw new UnsupportedOperationException();
    }

    /** Registers a linearizable read; its outcome appears in a later Ready as a ReadState or ReadFailure. */
    public void readIndex(long requestId) {
        throw new UnsupportedOperationException();
    }

    /** Starts leadership transfer to {@code target} (thesis §3.10). Ignored unless leader. */
    public void transferLeadership(NodeId target) {
        throw new UnsupportedOperationException();
    }

    public boolean hasReady() {
        throw new UnsupportedOperationException();
    }

    public Ready ready() {
        throw new UnsupportedOperationException();
    }

    public void advance(Ready done) {
        throw new UnsupportedOperationException();
    }

    public NodeId id() {
        throw new UnsupportedOperationException();
    }

    public Role role() {
        throw new UnsupportedOperationException();
    }

    public long term() {
        throw new UnsupportedOperationException();
    }

    public Optional<NodeId> leader() {
        throw new UnsupportedOperationException();
    }

    public long commitIndex() {
        throw new UnsupportedOperationException();
    }

    public long lastIndex() {
        throw new UnsupportedOperationException();
    }
}
