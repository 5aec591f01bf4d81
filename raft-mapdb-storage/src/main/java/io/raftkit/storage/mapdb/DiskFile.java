package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** One open file of a {@link Disk}: positional reads and writes, force, truncate and an exclusive lock. */
interface DiskFile extends AutoCloseable {

    Path path();

    long size() throws IOException;

    /** Reads into {@code dst} from {@code position} until it is full or the file ends; returns the bytes read. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes all of {@code src} at {@code position}; the bytes are durable once {@link #force} returns. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Makes every write and truncation of this file durable, its size included (fdatasync). */
    void force() throws IOException;

    void truncate(long size) throws IOException;

    /**
     * Takes an exclusive lock on the file for as long as it stays open; false when another process
     * (or another open file in this one) holds it.
     */
    boolean tryLock() throws IOException;

    @Override
    void close() throws IOException;
}
