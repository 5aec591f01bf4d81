package io.raftkit.storage.mapdb;

import io.raftkit.api.spi.Options;
import java.util.Set;

/**
 * The tunables of the snapshot store.
 *
 * @param kept how many snapshots to keep, newest first (at least 2: the previous snapshot stays
 *             until the next one is durable, and is what opening falls back to when the newest is
 *             damaged)
 * @param writeBackMib every how many MiB a snapshot being written here is forced in the background
 *             (0: only once, at its end). A snapshot left dirty until one force at its end makes the
 *             log's fsyncs wait for all of it on ext4's ordered mode ({@link WriteBack})
 */
public record SnapshotSettings(int kept, int writeBackMib) {

    public static final String KEPT = "snapshots-kept";
    public static final String WRITE_BACK_MIB = "snapshot-write-back-mib";
    public static final SnapshotSettings DEFAULTS = new SnapshotSettings(2, 1);

    public SnapshotSettings {
        if (kept < 2) {
            throw new IllegalArgumentException("snapshots kept must be >= 2, was " + kept);
        }
        if (writeBackMib < 0) {
            throw new IllegalArgumentException("snapshot write-back step must be >= 0 MiB, was " + writeBackMib);
        }
    }

    /** Reads the settings; a bad value throws {@link IllegalArgumentException} naming the option. */
    public static SnapshotSettings from(Options options) {
        options.requireOnly("the mapdb snapshot store", Set.of(KEPT, WRITE_BACK_MIB));
        return new SnapshotSettings(options.intValue(KEPT, DEFAULTS.kept(), 2, 100),
                options.intValue(WRITE_BACK_MIB, DEFAULTS.writeBackMib(), 0, 1024));
    }

    /** The write-back step in bytes; {@link Long#MAX_VALUE} when it is off. */
    long writeBackBytes() {
        return writeBackMib == 0 ? Long.MAX_VALUE : (long) writeBackMib << 20;
    }
}
