package io.raftkit.core.fault;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A {@link SnapshotStore} on the same power as its node's {@link FaultInjectingLogStore}: the two
 * points at which a snapshot becomes durable and visible ({@link SnapshotBuilder#commit} and
 * {@link SnapshotReceiver#install}) run under the {@link PowerSupply}, so a simulated power loss
 * either lands after one of them or makes it fail; a snapshot cut that way left only files without
 * metadata, which the inner store removes when it opens, as it does after a real crash.
 *
 * <p>Everything else passes through: the inner store is honest, so what it committed before the cut
 * is durable, as on real hardware.
 */
public final class FaultInjectingSnapshotStore implements SnapshotStore {

    private final SnapshotStore inner;
    private final PowerSupply power;

    /** @param inner the real store, which this wrapper owns and closes */
    public FaultInjectingSnapshotStore(SnapshotStore inner, PowerSupply power) {
        this.inner = inner;
        this.power = power;
    }

    @Override
    public Optional<SnapshotMeta> latest() {
        return inner.latest();
    }

    @Override
    public List<SnapshotMeta> list() {
        return inner.list();
    }

    @Override
    public SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException {
        SnapshotBuilder builder = inner.create(lastIncludedIndex, lastIncludedTerm, config, kind);
        return new SnapshotBuilder() {
            @Override
            public void put(byte[] key, byte[] value) throws IOException {
                builder.put(key, value);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                builder.write(bytes, offset, length);
            }

            @Override
            public SnapshotMeta commit() throws IOException {
                return power.durably("committing snapshot " + lastIncludedIndex, builder::commit);
            }

            @Override
            public void close() throws IOException {
                builder.close();
            }
        };
    }

    @Override
    public SnapshotReader read(String id) throws IOException {
        return inner.read(id);
    }

    @Override
    public InputStream openStream(String id) throws IOException {
        return inner.openStream(id);
    }

    @Override
    public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
        SnapshotReceiver receiver = inner.receive(meta);
        return new SnapshotReceiver() {
            @Override
            public SnapshotMeta meta() {
                return receiver.meta();
            }

            @Override
            public long nextOffset() {
                return receiver.nextOffset();
            }

            @Override
            public boolean write(long offset, byte[] data) throws IOException {
                return receiver.write(offset, data);
            }

            @Override
            public SnapshotMeta install() throws IOException {
                return power.durably("installing snapshot " + meta.id(), receiver::install);
            }

            @Override
            public void close() throws IOException {
                receiver.close();
            }
        };
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
