package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Streams over a {@link DiskFile}, and the CRC32C of a file's bytes, for the snapshot store. */
final class DiskStreams {

    private static final int BUFFER = 256 * 1024;

    private DiskStreams() {
    }

    /** Reads {@code file} from {@code position} to its end; closing the stream does not close the file. */
    static InputStream input(DiskFile file, long position) {
        return new InputStream() {
            private long at = position;
            private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).limit(0);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!buffer.hasRemaining() && len >= BUFFER) {
                    // A read of a whole chunk goes straight into the caller's array: through the buffer it
                    // was one more copy of every byte a leader sends (docs/benchmarks.md "Issue 16: InstallSnapshot").
                    int n = file.read(ByteBuffer.wrap(b, off, len), at);
                    if (n <= 0) {
                        return -1;
                    }
                    at += n;
                    return n;
                }
                if (!buffer.hasRemaining()) {
                    buffer.clear();
                    int n = file.read(buffer, at);
                    buffer.flip();
                    if (n <= 0) {
                        return -1;
                    }
                    at += n;
                }
                int n = Math.min(len, buffer.remaining());
                buffer.get(b, off, n);
                return n;
            }

            /** Seeks: what the buffer holds first, then the file position, never past the end. */
            @Override
            public long skip(long n) throws IOException {
                if (n <= 0) {
                    return 0;
                }
                long fromBuffer = Math.min(n, buffer.remaining());
                buffer.position(buffer.position() + (int) fromBuffer);
                long fromFile = Math.max(0, Math.min(n - fromBuffer, file.size() - at));
                at += fromFile;
                return fromBuffer + fromFile;
            }
        };
    }

    /**
     * Appends to {@code file} from {@code position}, buffered; {@link OutputStream#flush} writes the
     * buffer out and tells {@code writeBack} how far the file is written.
     */
    static OutputStream output(DiskFile file, long position, WriteBack writeBack) {
        return new OutputStream() {
            private long at = position;
            private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, buffer.remaining());
                    buffer.put(b, off, n);
                    off += n;
                    len -= n;
                    if (!buffer.hasRemaining()) {
                        flush();
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                buffer.flip();
                int n = buffer.remaining();
                file.write(buffer, at);
                at += n;
                buffer.clear();
                writeBack.written(at);
            }
        };
    }

    /** Forces a snapshot's data file before its meta file may describe it. */
    static void forceData(DiskFile file) throws IOException {
        if (!KnownBug.SNAPSHOT_DATA_NOT_FORCED.reintroduced()) {
            file.force();
        }
    }

    /** The CRC32C of the whole file as read now. */
    static long crc32c(DiskFile file) throws IOException {
        CRC32C crc = new CRC32C();
        // Direct: the file channel reads straight into it (a heap buffer is read into a temporary direct
        // one and copied), and CRC32C runs on it in place. Opening checks every snapshot file this way.
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        long at = 0;
        while (true) {
            buffer.clear();
            int n = file.read(buffer, at);
            if (n <= 0) {
                return crc.getValue();
            }
            buffer.flip();
            crc.update(buffer);
            at += n;
        }
    }
}
