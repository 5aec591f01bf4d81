package io.raftkit.api.spi;

import java.io.IOException;

/** Creates {@link LogStore}s; registered in {@code META-INF/services/io.raftkit.api.spi.LogStoreProvider}. */
public interface LogStoreProvider extends Plugin {

    /**
     * Opens (or creates) the store. Bad options throw {@link IllegalArgumentException}; a data
     * directory that cannot be used throws {@link IOException} naming the path and the problem.
     */
    LogStore open(LogStoreConfig config) throws IOException;
}
