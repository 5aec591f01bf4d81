package io.raftkit.core.fault;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.ForwardingSnapshotStore;
import io.raftkit.api.spi.SnapshotStore;
import java.io.IOException;

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
public final class FaultInjectingSnapshotStore extends ForwardingSnapshotStore {

    private final PowerSupply power;

    /** @param inner the real store, which this wrapper owns and closes */
    public FaultInjectingSnapshotStore(SnapshotStore inner, PowerSupply power) {
        super(inner);
        this.power = power;
    }

    @Override
    public SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException {
        return new Builder(super.create(lastIncludedIndex, lastIncludedTerm, config, kind)) {
            @Override
            public SnapshotMeta commit() throws IOException {
                return power.durably("committing snapshot " + lastIncludedIndex, super::commit);
            }
        };
    }

    @Override
    public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
        return new Receiver(super.receive(meta)) {
            @Override
            public SnapshotMeta install() throws IOException {
                return power.durably("installing snapshot " + meta.id(), super::install);
            }
        };
    }
}
