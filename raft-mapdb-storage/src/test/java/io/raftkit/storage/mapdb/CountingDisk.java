package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** The production disk, counting the bytes its files read: what a test of how much a store reads needs. */
record CountingDisk(AtomicLong read) implements Disk {
    @Override
    public DiskFile open(Path file, boolean create) throws IOException {
        DiskFile f = FileChannelDisk.INSTANCE.open(file, create);
        return new DiskFile() {
            @Override
            public Path path() {
                return f.path();
            }

            @Override
            public long size() throws IOException {
                return f.size();
            }

            @Override
            public int read(java.nio.ByteBuffer dst, long position) throws IOException {
                int n = f.read(dst, position);
                read.addAndGet(Math.max(0, n));
                return n;
            }

            @Override
            public void write(java.nio.ByteBuffer src, long position) throws IOException {
                f.write(src, position);
            }

            @Override
            public void force() throws IOException {
                f.force();
            }

            @Override
            public void truncate(long size) throws IOException {
                f.truncate(size);
            }

            @Override
            public boolean tryLock() throws IOException {
                return f.tryLock();
            }

            @Override
            public void close() throws IOException {
                f.close();
            }
        };
    }

    @Override
    public boolean exists(Path path) {
        return FileChannelDisk.INSTANCE.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return FileChannelDisk.INSTANCE.isDirectory(path);
    }

    @Override
    public boolean isRegularFile(Path path) {
        return FileChannelDisk.INSTANCE.isRegularFile(path);
    }

    @Override
    public boolean isWritable(Path path) {
        return FileChannelDisk.INSTANCE.isWritable(path);
    }

    @Override
    public java.util.List<Path> list(Path dir) throws IOException {
        return FileChannelDisk.INSTANCE.list(dir);
    }

    @Override
    public void createDirectory(Path dir) throws IOException {
        FileChannelDisk.INSTANCE.createDirectory(dir);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        FileChannelDisk.INSTANCE.rename(from, to);
    }

    @Override
    public void delete(Path file) throws IOException {
        FileChannelDisk.INSTANCE.delete(file);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        FileChannelDisk.INSTANCE.forceDirectory(dir);
    }
}
