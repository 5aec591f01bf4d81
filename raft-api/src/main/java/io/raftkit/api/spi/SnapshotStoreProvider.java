package io.raftkit.api.spi;

import java.io.IOException;

/** Creates {@link SnapshotStore}s; registered in {@code META-INF/services/io.raftkit.api.spi.SnapshotStoreProvider}. */
public interface SnapshotStoreProvider extends Plugin {

    /**
     * Opens (or creates) the store. Bad options throw {@link IllegalArgumentException}; a directory
     * that cannot be used, or whose every snapshot is damaged, throws {@link IOException} naming the
     * path and the problem.
     */
    SnapshotStore open(SnapshotStoreConfig config) throws IOException;
}
