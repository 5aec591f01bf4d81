package io.raftkit.core;

import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.message.InstallSnapshotReply;
import io.raftkit.core.progress.Progress;
import io.raftkit.core.progress.SnapshotSend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node's side of snapshots (§7, thesis §5): which snapshot is newest here, a leader's transfers
 * to followers whose next entry was compacted, and a follower's handling of the chunks and of an
 * installed snapshot. Part of {@link RaftNode}, split out to keep each file small; it does no I/O:
 * the chunks to read and send, the chunks to write and the snapshot to restore leave in the Ready.
 */
final class Snapshots {

    /** The chunk size when none is configured: small enough to interleave with heartbeats. */
    static final int DEFAULT_CHUNK_BYTES = 256 * 1024;

    private final RaftNode node;
    private final int chunkBytes;
    /** This node's newest durable snapshot, taken or installed; null when there is none. */
    private SnapshotMeta latest;
    private List<SnapshotChunk> toSend = new ArrayList<>();
    private List<InstallSnapshot> received = new ArrayList<>();
    private SnapshotMeta toRestore;
    /** Transfers this node led that followers installed. */
    private long installsSent;

    Snapshots(RaftNode node, int chunkBytes, SnapshotMeta latest) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("snapshot chunk bytes must be positive, was " + chunkBytes);
        }
        this.node = node;
        this.chunkBytes = chunkBytes;
        this.latest = latest;
    }

    SnapshotMeta latest() {
        return latest;
    }

    /** A snapshot became durable here (taken, installed, or found at start). */
    void durable(SnapshotMeta meta) {
        if (latest == null || meta.lastIncludedIndex() > latest.lastIncludedIndex()) {
            latest = meta;
        }
    }

    boolean hasWork() {
        return !toSend.isEmpty() || !received.isEmpty() || toRestore != null;
    }

    List<SnapshotChunk> takeToSend() {
        List<SnapshotChunk> out = toSend;
        toSend = new ArrayList<>();
        return out;
    }

    List<InstallSnapshot> takeReceived() {
        List<InstallSnapshot> out = received;
        received = new ArrayList<>();
        return out;
    }

    SnapshotMeta takeToRestore() {
        SnapshotMeta out = toRestore;
        toRestore = null;
        return out;
    }

    // ---------------------------------------------------------------- leader

    /** The follower's next entry was compacted: send it the newest snapshot instead (§7). */
    void start(NodeId peer, Progress pr) {
        if (latest == null || latest.lastIncludedIndex() < node.log.snapshotIndex()) {
            throw new IllegalStateException(node.self + " compacted its log to " + node.log.snapshotIndex()
                    + " but holds no snapshot covering it (newest: " + latest + ")");
        }
        pr.becomeSnapshot(new SnapshotSend(latest, chunkBytes, node.config.maxInflightAppends(), node.ticks()));
        fill(peer, pr);
    }

    /**
     * Asks for the chunks the window allows. Not before the leader's term is durable: no message of
     * a term leaves before that term is on disk (Figure 2), and the driver sends chunks as soon as
     * it has read them.
     */
    void fill(NodeId peer, Progress pr) {
        SnapshotSend send = pr.snapshotSend();
        if (send == null || !node.termDurable()) {
            return;
        }
        for (SnapshotSend.Chunk c = send.nextChunk(); c != null; c = send.nextChunk()) {
            toSend.add(new SnapshotChunk(peer, node.term, send.snapshot(), c.offset(), c.length(), c.done()));
        }
    }

    /** A follower answered a chunk. */
    void handleReply(Progress pr, InstallSnapshotReply reply) {
        SnapshotSend send = pr.snapshotSend();
        if (reply.installed() && send != null && send.snapshot().id().equals(reply.snapshotId())) {
            installsSent++;
        }
        if (reply.installed()) {
            // Durable on the follower (it answers so only then): its log matches up to the
            // snapshot's end, whichever transfer this answers.
            boolean advanced = pr.maybeUpdate(reply.lastIncludedIndex());
            if (pr.state() == Progress.State.SNAPSHOT && pr.matchIndex() >= node.log.snapshotIndex()) {
                pr.becomeProbe(pr.matchIndex() + 1);
                node.maybeCommit();
                node.replication.sendAppend(reply.from(), pr);
            } else if (send != null && send.snapshot().id().equals(reply.snapshotId())) {
                // This leader compacted past the snapshot while it was sent: the follower needs the newest.
                start(reply.from(), pr);
            } else if (advanced && !Mutant.isActive(Mutant.INSTALL_REPLY_SENDS_NOTHING)) {
                // The follower caught up through AppendEntries meanwhile and streams again; the install
                // moved its matchIndex past everything in flight, so no AppendReply will come to send
                // what follows (seed 32: the follower waited for ever one entry short).
                node.replication.followerAdvanced(reply.from(), pr);
            }
            return;
        }
        if (send == null || !send.snapshot().id().equals(reply.snapshotId())) {
            return; // about a transfer that ended or was replaced
        }
        send.answered(reply.nextOffset(), node.ticks());
        fill(reply.from(), pr);
    }

    /** On the leader's heartbeat: resend where a transfer stalled, and start chunks the term held back. */
    void tick(Map<NodeId, Progress> progress, long stallTicks) {
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            SnapshotSend send = e.getValue().snapshotSend();
            if (send != null) {
                send.rewindIfStalled(node.ticks(), stallTicks);
                fill(e.getKey(), e.getValue());
            }
        }
    }

    long installsSent() {
        return installsSent;
    }

    /** The driver cannot read the snapshot being sent to {@code peer} (deleted, damaged): start over with the newest. */
    void unreadable(Progress pr, String id) {
        SnapshotSend send = pr.snapshotSend();
        if (send != null && send.snapshot().id().equals(id)) {
            pr.becomeProbe(pr.matchIndex() + 1); // the next heartbeat's probe starts a transfer of the newest
        }
    }

    // ---------------------------------------------------------------- follower

    /** A chunk from the leader of this term (the term check is done). */
    void handleChunk(InstallSnapshot m) {
        if (m.lastIncludedIndex() <= node.commitIndex()) {
            // Figure 13 step 6, and a snapshot older than what is committed here: the log already
            // holds it (committed entries match every snapshot, §5.4). Nothing to write or restore.
            node.send(reply(m, m.snapshot().sizeBytes(), true));
            return;
        }
        received.add(m);
    }

    /** The driver wrote (or ignored) {@code chunk}: the follower holds {@code nextOffset} bytes. */
    void chunkWritten(InstallSnapshot chunk, long nextOffset) {
        node.send(reply(chunk, nextOffset, false));
    }

    /**
     * The driver installed {@code meta} durably in the SnapshotStore. If the log holds the
     * snapshot's last entry with its term, the entries after it stay and the ones up to it are
     * committed (Figure 13 step 6); otherwise the log is replaced by the snapshot and the state
     * machine restored from it (step 7). The answer waits for the Ready's writes, the LogStore's
     * reset among them: the leader counts the follower's match from it.
     */
    void installed(InstallSnapshot lastChunk, SnapshotMeta meta) {
        durable(meta);
        long index = meta.lastIncludedIndex();
        if (index > node.commitIndex()) {
            if (node.log.matchTerm(index, meta.lastIncludedTerm())) {
                node.commitTo(index);
            } else {
                if (node.role == Role.LEADER) {
                    throw new IllegalStateException("leader completeness violated: leader " + node.self + " of term "
                            + node.term + " lacks committed entry " + index + "@" + meta.lastIncludedTerm());
                }
                node.log.resetTo(index, meta.lastIncludedTerm());
                node.membership.configurations.reset(index, meta.config()); // §7: the snapshot carries the configuration
                node.membership.changed();
                node.restoredTo(index);
                toRestore = meta;
            }
        }
        node.send(reply(lastChunk, meta.sizeBytes(), true));
    }

    private InstallSnapshotReply reply(InstallSnapshot m, long nextOffset, boolean installed) {
        return new InstallSnapshotReply(node.self, m.from(), node.term, m.snapshot().id(), m.lastIncludedIndex(),
                nextOffset, installed);
    }
}
