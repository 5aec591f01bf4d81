package io.raftkit.storage.mapdb;

import io.raftkit.api.spi.Options;
import java.util.Set;

/**
 * The tunables of the snapshot store.
 *
 * @param kept how many snapshots to keep, newest first (at least 2: the previous snapshot stays
 *             until the next one is durable, and is what opening falls back to when the newest is
 *             damaged)
 */
public record SnapshotSettings(int kept) {

    public static final String KEPT = "snapshots-kept";
    public static final SnapshotSettings DEFAULTS = new SnapshotSettings(2);

    public SnapshotSettings {
        if (kept < 2) {
            throw new IllegalArgumentException("snapshots kept must be >= 2, was " + kept);
        }
    }

    /** Reads the settings; a bad value throws {@link IllegalArgumentException} naming the option. */
    public static SnapshotSettings from(Options options) {
        options.requireOnly("the mapdb snapshot store", Set.of(KEPT));
        return new SnapshotSettings(options.intValue(KEPT, DEFAULTS.kept(), 2, 100));
    }
}
