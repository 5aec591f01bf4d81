package io.raftkit.storage.mapdb;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;

/**
 * A MapDB {@link Volume} over one of our {@link DiskFile}s, so that MapDB's writes of a
 * {@code SortedTableMap} go through the same file layer as everything else this module writes:
 * the storage fault model then crashes them too, and the fsync that makes a table durable is ours.
 * A table's sink appends whole pages in order and writes its 64-byte header last; reads are
 * positional. Production reads tables through a memory-mapped, read-only MapDB volume instead
 * ({@link SnapshotEnvironment}).
 *
 * <p>MapDB's volume methods throw no checked exception, so an {@link IOException} travels out as
 * an {@link UncheckedIOException}, which {@link SnapshotTable} unwraps.
 */
final class DiskVolume extends Volume {

    private final DiskFile file;
    private final boolean readOnly;
    /** The written file's head start to the disk, or null (reads). */
    private final WriteBack writeBack;
    private long length;

    /** A volume to read {@code file}. */
    DiskVolume(DiskFile file) throws IOException {
        this(file, true, null);
    }

    /** A volume to write {@code file}, forced in the background every so many bytes by {@code writeBack}. */
    DiskVolume(DiskFile file, WriteBack writeBack) throws IOException {
        this(file, false, writeBack);
    }

    private DiskVolume(DiskFile file, boolean readOnly, WriteBack writeBack) throws IOException {
        this.file = file;
        this.readOnly = readOnly;
        this.writeBack = writeBack;
        this.length = file.size();
    }

    @Override
    public void ensureAvailable(long offset) {
        length = Math.max(length, offset);
    }

    @Override
    public void truncate(long size) {
        try {
            file.truncate(size);
            length = size;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void putLong(long offset, long value) {
        put(offset, ByteBuffer.allocate(8).putLong(0, value));
    }

    @Override
    public void putInt(long offset, int value) {
        put(offset, ByteBuffer.allocate(4).putInt(0, value));
    }

    @Override
    public void putByte(long offset, byte value) {
        put(offset, ByteBuffer.allocate(1).put(0, value));
    }

    @Override
    public void putData(long offset, byte[] src, int srcPos, int srcSize) {
        put(offset, ByteBuffer.wrap(src, srcPos, srcSize));
    }

    @Override
    public void putData(long offset, ByteBuffer buf) {
        put(offset, buf.duplicate());
    }

    private void put(long offset, ByteBuffer src) {
        if (readOnly) {
            throw new UnsupportedOperationException("read-only volume " + file.path());
        }
        try {
            int n = src.remaining();
            file.write(src, offset);
            length = Math.max(length, offset + n);
            writeBack.written(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] get(long offset, int size) {
        byte[] bytes = new byte[size];
        try {
            int read = file.read(ByteBuffer.wrap(bytes), offset);
            if (read < size) {
                throw new UncheckedIOException(new IOException(file.path() + ": read of " + size + " bytes at " + offset
                        + " ends at the end of the file (" + read + " bytes)"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }

    @Override
    public long getLong(long offset) {
        return ByteBuffer.wrap(get(offset, 8)).getLong();
    }

    @Override
    public int getInt(long offset) {
        return ByteBuffer.wrap(get(offset, 4)).getInt();
    }

    @Override
    public byte getByte(long offset) {
        return get(offset, 1)[0];
    }

    @Override
    public DataInput2 getDataInput(long offset, int size) {
        return new DataInput2.ByteArray(get(offset, size));
    }

    @Override
    public void getData(long offset, byte[] bytes, int bytesPos, int size) {
        System.arraycopy(get(offset, size), 0, bytes, bytesPos, size);
    }

    @Override
    public void close() {
        // The file belongs to the caller, who closes it.
    }

    /**
     * Forces the file: MapDB's table sink calls this after writing its header. A background force
     * that failed fails this one (after a failed fsync Linux may report success to the next).
     */
    @Override
    public void sync() {
        try {
            if (writeBack != null) {
                writeBack.finish();
            }
            DiskStreams.forceData(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int sliceSize() {
        return -1;
    }

    @Override
    public boolean isSliced() {
        return false;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public File getFile() {
        return file.path().toFile();
    }

    @Override
    public boolean getFileLocked() {
        return false;
    }

    @Override
    public void clear(long startOffset, long endOffset) {
        put(startOffset, ByteBuffer.allocate((int) (endOffset - startOffset)));
    }
}
