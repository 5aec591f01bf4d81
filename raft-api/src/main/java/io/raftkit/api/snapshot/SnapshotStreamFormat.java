package io.raftkit.api.snapshot;

/**
 * The transfer stream of a snapshot: what InstallSnapshot chunks carry, what
 * {@link io.raftkit.api.SnapshotMeta#sizeBytes()} and {@link io.raftkit.api.SnapshotMeta#checksum()}
 * measure, and what {@code raft-kv snapshot save} writes. It is independent of how any store keeps
 * a snapshot, so nodes with different snapshot stores can send each other snapshots, and a
 * receiver can check a stream before it parses it.
 *
 * <pre>
 * magic:i64 "RKSNAPST"  version:u8 (1)  kind:u8 (1 records, 2 bytes)
 * records: { keyLength:i32 key valueLength:i32 value }*   then  -1:i32 recordCount:i64
 * bytes:   { length:i32 (1..) data }*                     then  -1:i32 byteCount:i64
 * </pre>
 * Big-endian. The end marker with its count makes a truncated stream fail to parse even where no
 * checksum is checked.
 */
public final class SnapshotStreamFormat {

    public static final long MAGIC = 0x524B_534E_4150_5354L; // "RKSNAPST"
    public static final int VERSION = 1;
    /** Magic, version and kind. */
    public static final int HEADER_BYTES = 10;
    /** The end marker and the count after it. */
    public static final int TRAILER_BYTES = 12;
    /**
     * The longest key a record may have. Keys stay in a sorted table's index nodes, whose size a
     * store must bound (MapDB's fails on a node bigger than its page).
     */
    public static final int MAX_KEY_BYTES = 16 * 1024;
    /** The longest value a record may have: one record is held in the heap while it is copied. */
    public static final int MAX_VALUE_BYTES = 64 * 1024 * 1024;
    /** The end marker in place of a length. */
    static final int END = -1;
    /** Opaque bytes are framed in pieces of at most this many bytes. */
    static final int BYTES_PIECE = 64 * 1024;

    private SnapshotStreamFormat() {
    }
}
