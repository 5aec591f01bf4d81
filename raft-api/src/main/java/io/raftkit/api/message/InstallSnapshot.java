package io.raftkit.api.message;

import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;
import java.util.Objects;

/**
 * Sends one chunk of a snapshot to a follower whose next entry was compacted away (§7, Figure 13).
 * Every chunk carries the whole {@link SnapshotMeta}: the follower can start, resume (the chunk at
 * its {@code nextOffset}) or restart a transfer from any chunk, and verify the bytes against the
 * size and checksum before installing them.
 *
 * @param snapshot what is sent: id, last included index and term, configuration, size, checksum
 * @param offset   where {@code data} starts in the snapshot's transfer stream
 * @param data     the chunk's bytes (owned by the message once built)
 * @param done     true on the chunk that ends at {@code snapshot.sizeBytes()}
 */
public record InstallSnapshot(NodeId from, NodeId to, long term, SnapshotMeta snapshot, long offset, byte[] data,
                              boolean done) implements RaftMessage {

    public InstallSnapshot {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(data, "data");
        if (offset < 0 || offset + data.length > snapshot.sizeBytes()) {
            throw new IllegalArgumentException("chunk " + offset + "+" + data.length + " lies outside the snapshot's "
                    + snapshot.sizeBytes() + " bytes");
        }
        if (done != (offset + data.length == snapshot.sizeBytes())) {
            throw new IllegalArgumentException("done must be true exactly on the chunk that ends the snapshot: chunk "
                    + offset + "+" + data.length + " of " + snapshot.sizeBytes() + " has done=" + done);
        }
    }

    public long lastIncludedIndex() {
        return snapshot.lastIncludedIndex();
    }

    public long lastIncludedTerm() {
        return snapshot.lastIncludedTerm();
    }

    @Override
    public String toString() {
        return "InstallSnapshot[" + from + "->" + to + " term " + term + " " + snapshot.id() + " @" + offset + "+"
                + data.length + (done ? " done" : "") + "]";
    }
}
