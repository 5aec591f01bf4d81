package io.raftkit.api.snapshot;

import io.raftkit.api.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one stored snapshot back, never whole in the heap: records one at a time in key order, or
 * the opaque bytes as a stream. Used by one thread at a time; close it when done.
 *
 * <p>Damage found while reading (a checksum that does not match, a malformed record) throws
 * {@link InvalidSnapshotException} naming the file.
 */
public interface SnapshotReader extends AutoCloseable {

    SnapshotMeta meta();

    /**
     * Moves to the next record of a {@link io.raftkit.api.SnapshotKind#RECORDS} snapshot; false at
     * the end. Throws {@link IllegalStateException} for a bytes snapshot.
     */
    boolean nextRecord() throws IOException;

    /** The current record's key; the array belongs to the caller. */
    byte[] key();

    /** The current record's value; the array belongs to the caller. */
    byte[] value();

    /**
     * The content of a {@link io.raftkit.api.SnapshotKind#BYTES} snapshot, once. Throws
     * {@link IllegalStateException} for a records snapshot.
     */
    InputStream bytes() throws IOException;

    @Override
    void close() throws IOException;
}
