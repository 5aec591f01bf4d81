package io.raftkit.api.spi;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The durable snapshots of one peer (§7): made locally from a state machine's
 * {@link io.raftkit.api.snapshot.StateMachineSnapshot}, or received from a leader in chunks.
 *
 * <p>Durability: when {@link SnapshotBuilder#commit} or {@link SnapshotReceiver#install} returns,
 * the snapshot survives {@code kill -9} and is {@link #latest()} (if no newer one is stored). The
 * store keeps the previous snapshot until the next one is durable, and more as its options say, so
 * a newest snapshot found damaged at open falls back to the one before it (the log must then still
 * hold the entries after that one: the driver compacts the log only up to the previous snapshot).
 *
 * <p>Threads: every method may be called from any thread, concurrently (the driver thread installs
 * and lists, the snapshot writer thread builds, a sender streams). A builder, receiver, reader or
 * stream is used by one thread at a time. A snapshot deleted while a reader or stream has it open
 * stays readable through it.
 *
 * <p>Errors: {@link InvalidSnapshotException} (an {@link IOException}) means the snapshot's bytes
 * are bad: for a received snapshot, discard the transfer and carry on. Any other
 * {@link IOException} is a failure of this node's disk and is fatal, as for {@link LogStore}.
 */
public interface SnapshotStore extends AutoCloseable {

    /** The newest valid snapshot, if any. */
    Optional<SnapshotMeta> latest();

    /** Every valid stored snapshot, newest (highest last included index) first. */
    List<SnapshotMeta> list();

    /**
     * Starts a new snapshot covering the log up to {@code lastIncludedIndex}. The caller writes the
     * state machine's view into the builder, then commits or closes it.
     */
    SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException;

    /**
     * Opens a stored snapshot for restoring a state machine. Damage found on the way (a checksum
     * that does not match) throws {@link InvalidSnapshotException} naming the file.
     *
     * @throws java.util.NoSuchElementException when no snapshot of that id is stored
     */
    SnapshotReader read(String id) throws IOException;

    /**
     * The snapshot's transfer stream ({@link io.raftkit.api.snapshot.SnapshotStreamFormat}), exactly
     * {@link SnapshotMeta#sizeBytes()} bytes whose CRC32C is {@link SnapshotMeta#checksum()}. Read in
     * chunks; never held whole in memory by the store. {@link InputStream#skip} moves to an offset
     * (a resent chunk).
     *
     * @throws java.util.NoSuchElementException when no snapshot of that id is stored
     */
    InputStream openStream(String id) throws IOException;

    /**
     * Starts receiving the snapshot {@code meta} describes, whose transfer stream arrives in chunks.
     * The bytes go to a temporary place; nothing is visible until {@link SnapshotReceiver#install}.
     * Starting another receive of the same id discards the first one's bytes.
     */
    SnapshotReceiver receive(SnapshotMeta meta) throws IOException;

    @Override
    void close() throws IOException;

    /** A snapshot being written: a {@link SnapshotWriter} that ends in {@link #commit} or {@link #close}. */
    interface SnapshotBuilder extends SnapshotWriter, AutoCloseable {

        /**
         * Makes the snapshot durable and the newest; deletes snapshots beyond the store's retention
         * only after that. Returns its metadata (id, size and checksum included).
         */
        SnapshotMeta commit() throws IOException;

        /** Discards the snapshot unless it was committed, deleting what it wrote. */
        @Override
        void close() throws IOException;
    }

    /** A snapshot arriving in chunks, in order, from its first byte. */
    interface SnapshotReceiver extends AutoCloseable {

        SnapshotMeta meta();

        /** Bytes received so far: the offset the next chunk must start at. */
        long nextOffset();

        /**
         * Writes one chunk. A chunk that does not start at {@link #nextOffset()} (a duplicate, one
         * after a lost chunk) is ignored and false returned: the sender resends from
         * {@link #nextOffset()}. A chunk reaching past the stated size throws
         * {@link InvalidSnapshotException}.
         */
        boolean write(long offset, byte[] data) throws IOException;

        /**
         * Checks that every byte arrived and that the checksum matches, checks the stream parses,
         * makes the snapshot durable and the newest, and returns its metadata. Bytes still missing
         * throw {@link InvalidSnapshotException} and keep what arrived (more chunks may follow); a
         * checksum or a stream that does not match throws it and discards the bytes (the sender
         * starts over from offset 0 with a new receiver).
         */
        SnapshotMeta install() throws IOException;

        /** Discards the received bytes unless the snapshot was installed. */
        @Override
        void close() throws IOException;
    }
}
