package io.raftkit.api.snapshot;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a state machine writes its snapshot, in the form its {@link io.raftkit.api.SnapshotKind}
 * names: {@link #put} for records, {@link #write} for opaque bytes; calling the other one throws
 * {@link IllegalStateException}. Used by one thread at a time (the snapshot writer thread).
 */
public interface SnapshotWriter {

    /**
     * Adds one record. Keys must arrive in strictly increasing unsigned byte order
     * ({@link java.util.Arrays#compareUnsigned(byte[], byte[])}), which is the order a sorted table
     * is written in; a key out of order, a key over {@link SnapshotStreamFormat#MAX_KEY_BYTES} or a
     * value over {@link SnapshotStreamFormat#MAX_VALUE_BYTES} throws {@link IllegalArgumentException}
     * naming it. The writer does not keep the arrays after the call returns.
     */
    void put(byte[] key, byte[] value) throws IOException;

    /** Appends opaque bytes. */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** This writer as an {@link OutputStream} for opaque snapshots; closing the stream does nothing. */
    default OutputStream asOutputStream() {
        SnapshotWriter writer = this;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writer.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writer.write(b, off, len);
            }
        };
    }
}
