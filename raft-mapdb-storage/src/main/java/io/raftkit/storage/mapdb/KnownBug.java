package io.raftkit.storage.mapdb;

import java.util.EnumSet;
import java.util.Set;

/**
 * Bugs that reviews found in format 2 of this store (issue 21), kept reachable behind a switch so
 * that {@code StorageFaultModelTest} can put each one back and show that its checker catches it:
 * a fault model that cannot catch a known bug would not catch the next one either. Nothing but
 * that test turns a bug on; with none on (always, outside it) every check below is the fixed code.
 */
enum KnownBug {
    /** append writes a record above the record limit, which the scan then reads as damage or as a torn write. */
    OVERSIZE_RECORD_ACCEPTED,
    /** The frame header's checksum is not checked: a flipped bit in a length makes a frame run past the end and be cut. */
    FRAME_HEADER_UNCHECKED,
    /** Records are stored as they are, so a payload of zeros makes a damaged frame look torn. */
    RECORDS_NOT_WHITENED,
    /**
     * Frames as format 2 wrote them (plain bytes, a header checksum bound to neither the file nor
     * the position) and a scan that looks for a later frame from the next byte: a payload shaped
     * like a frame is found inside a torn write, and opening refuses.
     */
    NESTED_FRAMES_FOUND,
    /** Opening accepts a stored commit index above the last index of the log it recovered. */
    COMMIT_ABOVE_LAST_ACCEPTED,
    /** A cluster id of 257 to 490 bytes creates a store whose state file header the next open cannot read. */
    CLUSTER_ID_UNCHECKED,
    /** The state file's two slots share the header's 4 KiB page, so a torn page takes the older slot too. */
    STATE_SLOTS_SHARE_PAGE,
    /** A state slot whose write or fsync failed keeps the new bytes in the page cache for the next open to trust. */
    STATE_SLOT_NOT_UNDONE,
    /** The data directory's parent (and the parents of directories created for it) are never forced. */
    PARENT_DIRECTORY_NOT_FORCED,
    /** close releases the directory lock while an append of another thread is still writing. */
    CLOSE_RELEASES_LOCK_EARLY,
    /**
     * Opening trusts what the page cache holds after a process crash without forcing it, so a
     * write that was never acknowledged is counted and can still vanish in a later power loss.
     * (Found while building the fault model.)
     */
    OPEN_TRUSTS_PAGE_CACHE,
    /**
     * Not a format-2 bug but the tempting order for a reset (issue 16): delete the old segments,
     * then record the reset. A crash in between leaves a state file whose commit index the empty
     * log no longer holds, and the store refuses to open without any damage to the disk.
     */
    RESET_DELETES_BEFORE_RECORDING,
    /**
     * The snapshot store writes a snapshot's meta file without forcing its data files first: after
     * a power loss the meta file can describe a table the disk never got (issue 16's tempting shortcut).
     */
    SNAPSHOT_DATA_NOT_FORCED,
    /** The snapshot store deletes the snapshots beyond its retention before the new one is durable. */
    SNAPSHOT_PREVIOUS_DELETED_FIRST,
    /**
     * The snapshot store forces the entries leading to its directory only when this open created
     * it: after a process crash between the two, a later power loss takes the directory and every
     * snapshot in it (found by the snapshot fault model in CI).
     */
    SNAPSHOT_DIRECTORY_TRUSTED_ON_REOPEN,
    /**
     * Opening keeps a newest state that a torn save left in one copy of its slot, so one damaged
     * sector later falls back to the state before it (found by the storage fault model).
     */
    STATE_SINGLE_COPY_KEPT,
    /**
     * A state copy whose first checksum holds and whose second fails is read as written before the
     * firstSegment field existed, so a save torn after the first checksum turns a reset's leftover
     * segments back into log (found by the storage fault model).
     */
    TORN_COPY_READ_AS_UNRESET,
    /**
     * Opening deletes a reset's leftover segments (and compacted ones) on the word of a newest state it
     * found in one copy, and saves the second copy only afterwards: a crash before that save and a
     * damaged sector in the one copy fall back to the state before the reset, whose log is gone
     * (found by the storage fault model in CI).
     */
    SINGLE_COPY_ACTED_ON;

    private static volatile Set<KnownBug> reintroduced = EnumSet.noneOf(KnownBug.class);

    boolean reintroduced() {
        return reintroduced.contains(this);
    }

    /** For StorageFaultModelTest only: the bugs to put back, or none. */
    static void reintroduce(Set<KnownBug> bugs) {
        reintroduced = bugs.isEmpty() ? EnumSet.noneOf(KnownBug.class) : EnumSet.copyOf(bugs);
    }
}
