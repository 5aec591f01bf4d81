package io.raftkit.api;

/**
 * How a state machine writes its snapshot: as ordered key/value records, which a store can keep
 * as a sorted table and read back by key, or as opaque bytes, which a store keeps as they are.
 */
public enum SnapshotKind {
    /** Key/value records in strictly increasing unsigned byte order of their keys. */
    RECORDS(1),
    /** One opaque byte stream. */
    BYTES(2);

    private final int code;

    SnapshotKind(int code) {
        this.code = code;
    }

    /** The byte that stands for this kind in snapshot streams, metadata files and wire frames. */
    public int code() {
        return code;
    }

    /** The kind whose {@link #code()} is {@code code}, or an {@link IllegalArgumentException} naming it. */
    public static SnapshotKind ofCode(int code) {
        for (SnapshotKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown snapshot kind " + code + " (known: 1 records, 2 bytes)");
    }
}
