package io.raftkit.core.sim;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotWriter;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.StateMachine;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The simulated service: a few registers, each holding the last value written to it (0 at first).
 * A write is {@code [key][value]} and answers its log index; a read is {@code [key]} and answers
 * the value, the index of the last command applied, and the largest value applied so far, so the
 * clients can check both linearizability and the read index. Values are unique across the run.
 */
final class SimRegisters implements StateMachine {

    static final int KEYS = 3;

    private final SimNode node;
    private final int incarnation;
    private final SimCluster cluster;
    private final long[] values = new long[KEYS];
    private long lastIndex;
    private long maxValue;
    private final boolean snapshots;

    SimRegisters(SimNode node, int incarnation, SimCluster cluster, boolean snapshots) {
        this.node = node;
        this.incarnation = incarnation;
        this.cluster = cluster;
        this.snapshots = snapshots;
    }

    static byte[] write(int key, long value) {
        return ByteBuffer.allocate(9).put((byte) key).putLong(value).array();
    }

    static byte[] read(int key) {
        return new byte[] {(byte) key};
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        if (index <= lastIndex) {
            throw new IllegalStateException(node.id + " applies index " + index + " after " + lastIndex);
        }
        ByteBuffer b = ByteBuffer.wrap(command);
        int key = b.get();
        long value = b.getLong();
        values[key] = value;
        lastIndex = index;
        maxValue = Math.max(maxValue, value);
        if (node.isAlive(incarnation)) { // a crashed process applies nothing the world could see
            cluster.invariants.checkApplied(node.id, index, command);
            cluster.invariants.checkDigest(node.id, lastIndex, digest(), "after applying " + index);
            cluster.clients.onApplied(value);
            cluster.crashes.atApply(node, index);
        }
        return ByteBuffer.allocate(8).putLong(index).array();
    }

    @Override
    public byte[] query(byte[] query) {
        return ByteBuffer.allocate(24).putLong(values[query[0]]).putLong(lastIndex).putLong(maxValue).array();
    }

    @Override
    public boolean supportsSnapshots() {
        return snapshots;
    }

    /** The registers as bytes: the values, the last command's index and the largest value. */
    @Override
    public StateMachineSnapshot captureSnapshot() {
        ByteBuffer view = ByteBuffer.allocate(8 * (KEYS + 2));
        for (long v : values) {
            view.putLong(v);
        }
        view.putLong(lastIndex).putLong(maxValue);
        byte[] bytes = view.array();
        return new StateMachineSnapshot() {
            @Override
            public SnapshotKind kind() {
                return SnapshotKind.BYTES;
            }

            @Override
            public void writeTo(SnapshotWriter out) throws IOException {
                out.write(bytes, 0, bytes.length);
            }
        };
    }

    @Override
    public void restoreSnapshot(SnapshotReader snapshot) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(snapshot.bytes().readAllBytes());
        for (int i = 0; i < KEYS; i++) {
            values[i] = b.getLong();
        }
        lastIndex = b.getLong();
        maxValue = b.getLong();
        if (node.isAlive(incarnation)) {
            // A replica restored from a snapshot holds what every replica held at that command.
            cluster.invariants.checkDigest(node.id, lastIndex, digest(), "restored from snapshot " + snapshot.meta().id());
        }
    }

    /** The state as one number, equal on replicas that applied the same commands. */
    long digest() {
        long h = lastIndex;
        for (long v : values) {
            h = h * 1_000_003 + v;
        }
        return h;
    }
}
