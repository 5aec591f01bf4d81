package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.ForwardingSnapshotStore;
import io.raftkit.core.memory.MemorySnapshotStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the driver does when a snapshot turns out damaged: at restart, and in a transfer (§7). */
class SnapshotRecoveryTest extends SnapshotHarness<SnapshotRecoveryTest.DamagingStore> {

    @Override
    DamagingStore newStore(NodeId id) {
        return new DamagingStore();
    }

    /** A store that delegates, and can damage: reading one snapshot, or the bytes of the first transfer it receives. */
    static final class DamagingStore extends ForwardingSnapshotStore {
        volatile String unreadable;
        volatile boolean damageFirstTransfer;
        final AtomicInteger refusedInstalls = new AtomicInteger();

        DamagingStore() {
            super(new MemorySnapshotStore());
        }

        @Override
        public SnapshotReader read(String id) throws IOException {
            if (id.equals(unreadable)) {
                throw new InvalidSnapshotException("snapshot " + id + " is damaged (test)");
            }
            return super.read(id);
        }

        @Override
        public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
            boolean damage = damageFirstTransfer;
            damageFirstTransfer = false;
            return new Receiver(super.receive(meta)) {
                @Override
                public boolean write(long offset, byte[] data) throws IOException {
                    byte[] copy = data.clone();
                    if (damage && offset == 0 && copy.length > 12) {
                        copy[12] ^= 0x40; // a bit flipped on the wire, past the stream's header
                    }
                    return super.write(offset, copy);
                }

                @Override
                public SnapshotMeta install() throws IOException {
                    try {
                        return super.install();
                    } catch (InvalidSnapshotException e) {
                        refusedInstalls.incrementAndGet();
                        throw e;
                    }
                }
            };
        }

        @Override
        public void close() {
            // the store outlives each server a test starts on it
        }
    }

    @Test
    void aDamagedNewestSnapshotFallsBackToThePreviousOneAndTheLogAfterIt() throws Exception {
        NodeId n1 = NodeId.of("n1");
        ClusterConfig single = ClusterConfig.ofVoters(List.of(n1));
        SnapshotPolicy manual = SnapshotPolicy.manualOnly().withKeptEntries(0);
        String before;
        SnapshotMeta previous;
        SnapshotMeta newest;
        RaftServer server = start(n1, single, manual);
        try {
            awaitLeader();
            proposeAll(server, 0, 10);
            previous = await(server.takeSnapshot());
            proposeAll(server, 10, 20);
            newest = await(server.takeSnapshot());
            proposeAll(server, 20, 25);
            before = machines.get(n1).state();
        } finally {
            server.close();
        }
        assertThat(logs.get(n1).firstIndex() - 1).as("compacted to the previous snapshot, not the newest")
                .isEqualTo(previous.lastIncludedIndex());
        stores.get(n1).unreadable = newest.id();
        RaftServer again = start(n1, single, manual);
        try {
            awaitLeader();
            awaitTrue("the log replayed", () -> again.status().appliedIndex() == again.status().commitIndex()
                    && again.status().commitIndex() > newest.lastIncludedIndex() + 5);
            assertThat(machines.get(n1).state()).isEqualTo(before);
            assertThat(machines.get(n1).applied).as("everything after the previous snapshot is applied again")
                    .isEqualTo(15);
        } finally {
            again.close();
        }
    }

    @Test
    void aTransferWhoseChecksumFailsIsDiscardedAndSentAgainFromTheStart() throws Exception {
        List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        ClusterConfig cluster = ClusterConfig.ofVoters(ids);
        SnapshotPolicy policy = SnapshotPolicy.DEFAULT.withMinLogFraction(0).withEntriesBetween(20).withKeptEntries(3).withChunkBytes(16);
        try {
            for (NodeId id : ids) {
                start(id, cluster, policy);
            }
            RaftServer leader = awaitLeader();
            NodeId lagging = ids.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
            proposeAll(leader, 0, 5);
            servers.remove(lagging).close();
            proposeAll(leader, 5, 120);
            awaitTrue("the leader compacts past the lagging follower", () -> leader.snapshotStats().logFirstIndex() > 10);
            stores.get(lagging).damageFirstTransfer = true;
            RaftServer back = start(lagging, cluster, policy);
            proposeAll(leader, 120, 125);
            String expected = machines.get(leader.id()).state();
            awaitTrue("the follower catches up", () -> machines.get(lagging).state().equals(expected));
            assertThat(stores.get(lagging).refusedInstalls.get()).as("the damaged transfer was refused").isEqualTo(1);
            assertThat(back.snapshotStats().installsReceived()).isPositive();
            assertThat(back.status().running()).isTrue();
        } finally {
            servers.values().forEach(RaftServer::close);
        }
    }

    @Test
    void whenEverySnapshotIsDamagedTheServerRefusesToStartNamingThem() throws Exception {
        NodeId n1 = NodeId.of("n1");
        ClusterConfig single = ClusterConfig.ofVoters(List.of(n1));
        SnapshotMeta only;
        RaftServer server = start(n1, single, SnapshotPolicy.manualOnly());
        try {
            awaitLeader();
            proposeAll(server, 0, 5);
            only = await(server.takeSnapshot());
        } finally {
            server.close();
        }
        stores.get(n1).unreadable = only.id();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(n1, single, SnapshotPolicy.manualOnly()))
                .isInstanceOf(IOException.class).hasMessageContaining(only.id()).hasMessageContaining("does not start");
    }
}
