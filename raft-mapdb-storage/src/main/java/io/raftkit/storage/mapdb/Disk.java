package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file operations a store performs, and nothing more: the store's code calls only these, so
 * its tests can run it over a simulated disk that loses, keeps or tears unsynced writes at a
 * crash, from a seed (as TigerBeetle's replica runs over its simulated storage). Production uses
 * {@link FileChannelDisk}; no other implementation ships.
 *
 * <p>What a caller may rely on is what POSIX file systems give: a write is in the page cache until
 * its file is forced; a created, renamed or deleted name is durable once its directory is forced;
 * a rename within one directory replaces the target atomically.
 */
interface Disk {

    /** Opens {@code file} for reading and writing; creates it when {@code create} is true and it is missing. */
    DiskFile open(Path file, boolean create) throws IOException;

    boolean exists(Path path);

    boolean isDirectory(Path path);

    boolean isRegularFile(Path path);

    boolean isWritable(Path path);

    /** The entries of {@code dir}, sorted by name. */
    List<Path> list(Path dir) throws IOException;

    /** Creates one directory whose parent exists; its name is durable only once the parent is forced. */
    void createDirectory(Path dir) throws IOException;

    /** Renames {@code from} over {@code to} in the same directory, atomically. */
    void rename(Path from, Path to) throws IOException;

    void delete(Path file) throws IOException;

    /** Makes the names created, renamed and deleted in {@code dir} durable (fsync of the directory). */
    void forceDirectory(Path dir) throws IOException;
}
