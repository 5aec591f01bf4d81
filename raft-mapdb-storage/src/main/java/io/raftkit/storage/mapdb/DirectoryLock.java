package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An OS lock on {@code <dataDir>/LOCK} held while a store is open, so a second process (or a second
 * store in this one) cannot open the same directory. The holder's pid is written into the file so
 * the refusal can name it. The OS drops the lock when the process dies, even by {@code kill -9}.
 */
final class DirectoryLock implements AutoCloseable {

    static final String FILE_NAME = "LOCK";

    private final DiskFile file;

    private DirectoryLock(DiskFile file) {
        this.file = file;
    }

    static DirectoryLock acquire(Disk disk, Path dataDir) throws IOException {
        Path path = dataDir.resolve(FILE_NAME);
        DiskFile file = disk.open(path, true);
        boolean locked;
        try {
            locked = file.tryLock();
        } catch (IOException e) {
            file.close();
            throw new IOException("data directory " + dataDir + ": cannot lock " + path + ": " + e.getMessage(), e);
        }
        if (!locked) {
            String holder = readHolder(file);
            file.close();
            throw new IOException("data directory " + dataDir + " is in use by another log store (lock file " + path
                    + " held by pid " + holder + "); stop that process first");
        }
        try {
            byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
            file.truncate(0);
            file.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        return new DirectoryLock(file);
    }

    private static String readHolder(DiskFile file) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            int n = file.read(buf, 0);
            String text = new String(buf.array(), 0, Math.max(0, n), StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? "unknown" : text;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
