package io.raftkit.core;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.message.RaftMessage;
import java.util.List;

/**
 * What the driver must do next, in this order (the order is what makes Raft durable):
 * <ol>
 *   <li>send {@link #messagesBeforePersist} (a leader's AppendEntries: they depend only on the
 *       leader's own log, so followers can write while the leader writes, thesis §10.2.1);</li>
 *   <li>make {@link #entries} and {@link #hardState} durable in the LogStore;</li>
 *   <li>send {@link #messages} (votes and replies that promise durable state);</li>
 *   <li>apply {@link #committedEntries} in order and serve {@link #readStates} once applied;</li>
 *   <li>call {@link RaftNode#advance(Ready)}.</li>
 * </ol>
 *
 * <p>A driver may persist in the background (thesis §10.2.1: the leader's own write need not hold
 * up replication, nor a follower's write its next AppendEntries). Then it takes further Readys while
 * earlier ones are being written, and for each Ready still keeps the order above where it matters:
 * Readys are persisted one after another in the order taken, each Ready's {@link #messages} leave
 * only after its own write (and so after every earlier one), and {@code advance} is called in that
 * order once the write is durable. Committed entries may be applied before the Ready's write: they
 * are durable on a majority already.
 *
 * @param hardState             to save, or null when unchanged since the last Ready
 * @param entries               to append to the LogStore (its suffix from the first index is replaced)
 * @param messagesBeforePersist to send before persisting
 * @param messages              to send only after {@code entries} and {@code hardState} are durable
 * @param committedEntries      newly committed entries to apply, in index order
 * @param readStates            reads confirmed by a quorum, to serve once applied up to their index
 * @param readFailures          reads that cannot be confirmed here
 * @param snapshotChunks        a leader's snapshot chunks to read from the SnapshotStore and send (§7)
 * @param snapshotChunksReceived a follower's accepted InstallSnapshot chunks, to write to a receiver
 *                              in order; the driver answers each through {@link RaftNode#snapshotChunkWritten}
 * @param installedSnapshot     a snapshot the follower installed that replaces its log: reset the
 *                              LogStore to its last included index and term in order with the
 *                              writes (so {@link #messages} wait for it), and restore the state
 *                              machine from it before applying {@link #committedEntries}; or null
 * @param logReads              entries a leader needs for its followers that left its in-memory log:
 *                              read each from the LogStore on the store's thread, in order with the
 *                              writes submitted before it, and answer through {@link RaftNode#entriesRead}
 */
public record Ready(HardState hardState,
                    List<LogEntry> entries,
                    List<RaftMessage> messagesBeforePersist,
                    List<RaftMessage> messages,
                    List<LogEntry> committedEntries,
                    List<ReadState> readStates,
                    List<ReadFailure> readFailures,
                    List<SnapshotChunk> snapshotChunks,
                    List<InstallSnapshot> snapshotChunksReceived,
                    SnapshotMeta installedSnapshot,
                    List<LogRead> logReads) {

    /** A Ready without reads from the LogStore. */
    public Ready(HardState hardState, List<LogEntry> entries, List<RaftMessage> messagesBeforePersist,
                 List<RaftMessage> messages, List<LogEntry> committedEntries, List<ReadState> readStates,
                 List<ReadFailure> readFailures, List<SnapshotChunk> snapshotChunks,
                 List<InstallSnapshot> snapshotChunksReceived, SnapshotMeta installedSnapshot) {
        this(hardState, entries, messagesBeforePersist, messages, committedEntries, readStates, readFailures,
                snapshotChunks, snapshotChunksReceived, installedSnapshot, List.of());
    }

    /** A Ready without snapshot work. */
    public Ready(HardState hardState, List<LogEntry> entries, List<RaftMessage> messagesBeforePersist,
                 List<RaftMessage> messages, List<LogEntry> committedEntries, List<ReadState> readStates,
                 List<ReadFailure> readFailures) {
        this(hardState, entries, messagesBeforePersist, messages, committedEntries, readStates, readFailures,
                List.of(), List.of(), null, List.of());
    }

    public boolean isEmpty() {
        return hardState == null && entries.isEmpty() && messagesBeforePersist.isEmpty() && messages.isEmpty()
                && committedEntries.isEmpty() && readStates.isEmpty() && readFailures.isEmpty()
                && snapshotChunks.isEmpty() && snapshotChunksReceived.isEmpty() && installedSnapshot == null
                && logReads.isEmpty();
    }
}
