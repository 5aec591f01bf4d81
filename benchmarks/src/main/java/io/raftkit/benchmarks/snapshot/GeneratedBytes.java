package io.raftkit.benchmarks.snapshot;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotWriter;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.StateMachine;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An opaque-bytes state machine whose state is {@code sizeBytes} bytes drawn from a seeded
 * generator: a command sets (size, seed), a snapshot writes all the bytes, a restore reads them all
 * back and checks each against the generator. So a 500 MB snapshot needs no 500 MB heap on either
 * side, and a restore proves the bytes arrived intact, not only that they were counted.
 *
 * <pre>
 * command  = size:i64 seed:i64
 * snapshot = size:i64 seed:i64 bytes[size]
 * </pre>
 */
final class GeneratedBytes implements StateMachine {

    private static final int BLOCK = 1 << 20;

    private long sizeBytes;
    private long seed;
    private volatile long restoredNanos;

    static byte[] command(long sizeBytes, long seed) {
        return ByteBuffer.allocate(16).putLong(sizeBytes).putLong(seed).array();
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        ByteBuffer b = ByteBuffer.wrap(command);
        sizeBytes = b.getLong();
        seed = b.getLong();
        return new byte[0];
    }

    @Override
    public byte[] query(byte[] query) {
        return ByteBuffer.allocate(16).putLong(sizeBytes).putLong(seed).array();
    }

    @Override
    public boolean supportsSnapshots() {
        return true;
    }

    @Override
    public StateMachineSnapshot captureSnapshot() {
        long size = sizeBytes;
        long s = seed;
        return new StateMachineSnapshot() {
            @Override
            public SnapshotKind kind() {
                return SnapshotKind.BYTES;
            }

            @Override
            public void writeTo(SnapshotWriter out) throws IOException {
                out.write(ByteBuffer.allocate(16).putLong(size).putLong(s).array(), 0, 16);
                byte[] block = new byte[BLOCK];
                SplittableRandom random = new SplittableRandom(s);
                for (long left = size; left > 0; left -= BLOCK) {
                    int n = (int) Math.min(BLOCK, left);
                    fill(random, block, n);
                    out.write(block, 0, n);
                }
            }
        };
    }

    @Override
    public void restoreSnapshot(SnapshotReader snapshot) throws IOException {
        long start = System.nanoTime();
        InputStream in = snapshot.bytes();
        DataInputStream data = new DataInputStream(in);
        long size = data.readLong();
        long s = data.readLong();
        byte[] expected = new byte[BLOCK];
        byte[] actual = new byte[BLOCK];
        SplittableRandom random = new SplittableRandom(s);
        for (long left = size; left > 0; left -= BLOCK) {
            int n = (int) Math.min(BLOCK, left);
            fill(random, expected, n);
            data.readFully(actual, 0, n);
            if (!Arrays.equals(expected, 0, n, actual, 0, n)) {
                throw new IOException("restored bytes differ from the generator's at block ending " + (size - left + n));
            }
        }
        if (in.read() != -1) {
            throw new IOException("the snapshot holds bytes past its stated " + size);
        }
        sizeBytes = size;
        seed = s;
        restoredNanos = System.nanoTime() - start;
    }

    /** The time the last restore took, or 0 before one. */
    long restoredNanos() {
        return restoredNanos;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    private static void fill(SplittableRandom random, byte[] block, int n) {
        ByteBuffer b = ByteBuffer.wrap(block, 0, n);
        while (b.remaining() >= 8) {
            b.putLong(random.nextLong());
        }
        while (b.hasRemaining()) {
            b.put((byte) random.nextInt());
        }
    }
}
