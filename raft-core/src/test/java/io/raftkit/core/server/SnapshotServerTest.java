package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.Resources;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.memory.MemoryNetwork;
import io.raftkit.core.memory.MemorySnapshotStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Snapshots through the real driver on real threads: taking them, compacting, restarting, InstallSnapshot (§7). */
class SnapshotServerTest extends SnapshotHarness<MemorySnapshotStore> {

    @Override
    MemorySnapshotStore newStore(NodeId id) {
        return new MemorySnapshotStore();
    }

    @Test
    void aServerSnapshotsEveryNEntriesAndCompactsNoFurtherThanThePreviousSnapshot() throws Exception {
        NodeId n1 = NodeId.of("n1");
        try {
            RaftServer server = start(n1, ClusterConfig.ofVoters(List.of(n1)), SnapshotPolicy.DEFAULT.withMinLogFraction(0).withEntriesBetween(10).withKeptEntries(2));
            awaitLeader();
            // 61 entries with the leader's no-op, in six batches of ten. A snapshot is due every 10 applied
            // entries, but one due while another is being written is taken only when that one is durable:
            // proposed all at once, a slow first write let all 60 apply behind it and the next snapshot
            // came at 61, the last (CI, load 9 to 18: two snapshots, not three). Waiting for each batch's
            // snapshot before the next makes the count the policy's, not the disk's.
            for (int batch = 0; batch < 6; batch++) {
                for (int i = 0; i < 10; i++) {
                    int v = batch * 10 + i;
                    await(server.propose(("v" + v).getBytes(StandardCharsets.UTF_8))); // one at a time: one apply per Ready
                }
                int taken = batch + 1;
                awaitTrue(() -> taken + " snapshots (" + server.snapshotStats() + ")",
                        () -> server.snapshotStats().snapshotsTaken() >= taken);
            }
            awaitTrue(() -> "three snapshots, published (" + server.snapshotStats() + ", " + stores.get(n1).list()
                    + ", " + server.status() + ")", () -> server.snapshotStats().snapshotsTaken() >= 3
                    && server.snapshotStats().latestIndex() == stores.get(n1).latest().orElseThrow().lastIncludedIndex());
            SnapshotStats stats = server.snapshotStats();
            List<SnapshotMeta> kept = stores.get(n1).list();
            assertThat(stats.enabled()).isTrue();
            assertThat(stats.latestIndex()).isEqualTo(kept.get(0).lastIncludedIndex());
            assertThat(stats.latestSizeBytes()).isEqualTo(kept.get(0).sizeBytes());
            long compacted = logs.get(n1).firstIndex() - 1;
            assertThat(compacted).as("the log is compacted").isPositive();
            assertThat(compacted).as("never past the snapshot before the newest").isLessThanOrEqualTo(kept.get(1).lastIncludedIndex());
        } finally {
            closeAll();
        }
    }

    @Test
    void takeSnapshotMakesADurableSnapshotOfTheAppliedStateAndFailsWithoutAStore() throws Exception {
        NodeId n1 = NodeId.of("n1");
        try {
            RaftServer server = start(n1, ClusterConfig.ofVoters(List.of(n1)), SnapshotPolicy.manualOnly());
            awaitLeader();
            proposeAll(server, 0, 5);
            SnapshotMeta meta = await(server.takeSnapshot());
            assertThat(meta.lastIncludedIndex()).isEqualTo(server.status().appliedIndex());
            assertThat(stores.get(n1).latest()).contains(meta);
            try (SnapshotReader r = stores.get(n1).read(meta.id())) {
                assertThat(new String(r.bytes().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("v0,v1,v2,v3,v4,");
            }
            assertThat(await(server.takeSnapshot())).as("nothing applied since: the same snapshot").isEqualTo(meta);
        } finally {
            closeAll();
        }
        RaftServer plain = RaftServer.builder().self(n1).cluster(ClusterConfig.ofVoters(List.of(n1)))
                .transport("memory", null).resources(Resources.EMPTY.with(MemoryNetwork.class, network))
                .logStore(new MemoryLogStore()).stateMachine(new TestCluster.Appender()).build();
        assertThatThrownBy(() -> await(plain.takeSnapshot())).hasMessageContaining("takes no snapshots");
        assertThat(plain.snapshotStats().enabled()).isFalse();
    }

    @Test
    void aRestartRestoresTheNewestSnapshotAndReplaysOnlyTheLogAfterIt() throws Exception {
        NodeId n1 = NodeId.of("n1");
        ClusterConfig single = ClusterConfig.ofVoters(List.of(n1));
        String before;
        long snapshotIndex;
        try {
            RaftServer server = start(n1, single, SnapshotPolicy.manualOnly().withKeptEntries(0));
            awaitLeader();
            proposeAll(server, 0, 20);
            snapshotIndex = await(server.takeSnapshot()).lastIncludedIndex();
            proposeAll(server, 20, 25);
            before = machines.get(n1).state();
        } finally {
            closeAll();
        }
        RaftServer again = start(n1, single, SnapshotPolicy.manualOnly());
        try {
            awaitLeader();
            awaitTrue("the restarted node applies its log", () -> again.status().appliedIndex() >= again.status().commitIndex()
                    && again.status().commitIndex() > snapshotIndex + 5);
            SnapshottingAppender machine = machines.get(n1);
            assertThat(machine.state()).isEqualTo(before);
            assertThat(machine.restores).isEqualTo(1);
            assertThat(machine.applied).as("only the five commands after the snapshot are applied again").isEqualTo(5);
        } finally {
            closeAll();
        }
    }

    @Test
    void aRestartRestoresTheNewestSnapshotBeforeItAsksTheLogAnything() throws Exception {
        // A server may be handed a log store that is still opening (the KV node does): the restore
        // and the log's scan then run side by side only if the log is asked nothing before it.
        NodeId n1 = NodeId.of("n1");
        ClusterConfig single = ClusterConfig.ofVoters(List.of(n1));
        try {
            RaftServer server = start(n1, single, SnapshotPolicy.manualOnly().withKeptEntries(0));
            awaitLeader();
            proposeAll(server, 0, 10);
            await(server.takeSnapshot());
        } finally {
            closeAll();
        }
        SnapshottingAppender machine = new SnapshottingAppender();
        MemoryLogStore log = logs.get(n1);
        List<String> askedBeforeRestore = new ArrayList<>();
        io.raftkit.api.spi.LogStore watched = (io.raftkit.api.spi.LogStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{io.raftkit.api.spi.LogStore.class}, (proxy, method, args) -> {
                    if (machine.restores == 0) {
                        askedBeforeRestore.add(method.getName());
                    }
                    try {
                        return method.invoke(log, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RaftServer again = RaftServer.builder().self(n1).cluster(single).config(config)
                .transport("memory", null).resources(Resources.EMPTY.with(MemoryNetwork.class, network))
                .logStore(watched).snapshotStore(stores.get(n1)).snapshotPolicy(SnapshotPolicy.manualOnly())
                .stateMachine(machine).requestTimeout(java.time.Duration.ofSeconds(5)).build();
        try {
            again.start();
            assertThat(machine.restores).isEqualTo(1);
            assertThat(askedBeforeRestore).as("log questions before the restore").isEmpty();
        } finally {
            again.close();
        }
    }

    @Test
    void aFollowerWhoseNextEntryWasCompactedCatchesUpThroughInstallSnapshot() throws Exception {
        List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        ClusterConfig cluster = ClusterConfig.ofVoters(ids);
        // Chunks of 7 bytes: the snapshot crosses the wire in many pieces, a few in flight at a time.
        SnapshotPolicy policy = SnapshotPolicy.DEFAULT.withMinLogFraction(0).withEntriesBetween(20).withKeptEntries(3).withChunkBytes(7);
        try {
            for (NodeId id : ids) {
                start(id, cluster, policy);
            }
            RaftServer leader = awaitLeader();
            NodeId lagging = ids.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
            proposeAll(leader, 0, 5);
            servers.remove(lagging).close();
            proposeAll(leader, 5, 120);
            awaitTrue("the leader compacts past the lagging follower",
                    () -> leader.snapshotStats().logFirstIndex() > 10 && leader.snapshotStats().snapshotsTaken() >= 2);
            RaftServer back = start(lagging, cluster, policy);
            proposeAll(leader, 120, 125);
            String expected = machines.get(leader.id()).state();
            awaitTrue("the follower catches up", () -> machines.get(lagging).state().equals(expected));
            assertThat(back.snapshotStats().installsReceived()).isPositive();
            assertThat(machines.get(lagging).restores).isPositive();
            awaitTrue("the leader counts the install", () -> leader.snapshotStats().installsSent() > 0);
        } finally {
            closeAll();
        }
    }

    @Test
    void aServerAlsoSnapshotsOnceTheAppliedEntriesHoldMBytes() throws Exception {
        NodeId n1 = NodeId.of("n1");
        try {
            RaftServer server = start(n1, ClusterConfig.ofVoters(List.of(n1)),
                    SnapshotPolicy.manualOnly().withLogBytesBetween(1_000).withKeptEntries(0));
            awaitLeader();
            byte[] big = new byte[300];
            for (int i = 0; i < 4; i++) {
                await(server.propose(big));
            }
            awaitTrue("a snapshot after 1,200 bytes", () -> server.snapshotStats().snapshotsTaken() == 1);
            assertThat(server.snapshotStats().latestIndex()).as("the fourth command, after the no-op").isEqualTo(5);
        } finally {
            closeAll();
        }
    }

    @Test
    void aSnapshotDueByCountWaitsUntilTheLogHoldsTheFractionOfTheLastOne() throws Exception {
        NodeId n1 = NodeId.of("n1");
        try {
            // Due every 2 entries, but not before the log since the last snapshot is as big as it.
            RaftServer server = start(n1, ClusterConfig.ofVoters(List.of(n1)),
                    SnapshotPolicy.manualOnly().withEntriesBetween(2).withMinLogFraction(1.0).withKeptEntries(0));
            awaitLeader();
            await(server.propose(new byte[1_000])); // with the no-op: 2 entries, the first snapshot (none before)
            awaitTrue(() -> "the first snapshot (" + server.snapshotStats() + ")", () -> server.snapshotStats().snapshotsTaken() == 1);
            long firstSize = server.snapshotStats().latestSizeBytes();
            assertThat(firstSize).isGreaterThan(1_000);
            for (int i = 0; i < 20; i++) {
                await(server.propose(("s" + i).getBytes(StandardCharsets.UTF_8))); // due by count ten times over
            }
            String applied = new String(await(server.propose(new byte[(int) firstSize])), StandardCharsets.UTF_8);
            long bigIndex = Long.parseLong(applied.substring("ok@".length())); // the log since now holds the first snapshot's size
            awaitTrue(() -> "the second snapshot (" + server.snapshotStats() + ")", () -> server.snapshotStats().snapshotsTaken() == 2);
            Thread.sleep(100); // a third, were one wrongly due, would be on its way by now
            assertThat(server.snapshotStats().snapshotsTaken()).isEqualTo(2);
            assertThat(server.snapshotStats().latestIndex()).as("taken at the entry that made up the size").isEqualTo(bigIndex);
        } finally {
            closeAll();
        }
    }

    @Test
    void aLogCompactedPastEverySnapshotRefusesToStartNamingTheIndex() throws Exception {
        NodeId n1 = NodeId.of("n1");
        MemoryLogStore log = new MemoryLogStore();
        List<io.raftkit.api.LogEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            entries.add(io.raftkit.api.LogEntry.command(i, 1, new byte[] {(byte) i}));
        }
        log.append(entries);
        log.saveHardState(new io.raftkit.api.HardState(1, n1, 10));
        log.compact(5);
        RaftServer withStore = RaftServer.builder().self(n1).cluster(ClusterConfig.ofVoters(List.of(n1)))
                .transport("memory", null).resources(Resources.EMPTY.with(MemoryNetwork.class, network))
                .logStore(log).snapshotStore(new MemorySnapshotStore()).stateMachine(new SnapshottingAppender()).build();
        assertThatThrownBy(withStore::start).isInstanceOf(IOException.class)
                .hasMessageContaining("compacted up to index 5").hasMessageContaining("nothing was changed");
        withStore.close();
        RaftServer withoutSnapshots = RaftServer.builder().self(n1).cluster(ClusterConfig.ofVoters(List.of(n1)))
                .transport("memory", null).resources(Resources.EMPTY.with(MemoryNetwork.class, network))
                .logStore(log).stateMachine(new TestCluster.Appender()).build();
        assertThatThrownBy(withoutSnapshots::start).isInstanceOf(IOException.class)
                .hasMessageContaining("compacted up to 5").hasMessageContaining("no snapshots");
        withoutSnapshots.close();
        assertThat(log.firstIndex()).as("nothing changed").isEqualTo(6);
        assertThat(log.lastIndex()).isEqualTo(10);
    }

    @Test
    void theLogInTheHeapStaysBoundedByThePolicyWhileHistoryGrows() throws Exception {
        NodeId n1 = NodeId.of("n1");
        try {
            RaftServer server = start(n1, ClusterConfig.ofVoters(List.of(n1)),
                    SnapshotPolicy.DEFAULT.withMinLogFraction(0).withEntriesBetween(100).withKeptEntries(10));
            awaitLeader();
            long worst = 0;
            for (int round = 0; round < 20; round++) {
                proposeAll(server, round * 100, round * 100 + 100);
                awaitTrue("a snapshot covering the round", () -> server.snapshotStats().latestIndex() > server.status().appliedIndex() - 100);
                worst = Math.max(worst, server.status().logHeapBytes());
            }
            long entryBytes = "v1999".length() + LogLoader.ENTRY_HEAP_OVERHEAD;
            // Back to the snapshot before the newest: two intervals, plus one more while a due snapshot is written.
            assertThat(worst).as("heap estimate of the log after 2,000 entries").isLessThan(400 * entryBytes);
            assertThat(logs.get(n1).firstIndex()).as("the store is compacted too").isGreaterThan(1_700);
        } finally {
            closeAll();
        }
    }

    /**
     * Issue 16: the loop never waits for a snapshot write (capture on the loop, write on the writer's
     * thread). A write held up indefinitely, as by a slow disk, must not hold up commits, nor start a
     * second write behind it; once it finishes, the snapshot is published.
     */
    @Test
    void theLeaderKeepsCommittingWhileASnapshotWriteIsHeldUp() throws Exception {
        NodeId n1 = NodeId.of("n1");
        NodeId n2 = NodeId.of("n2");
        NodeId n3 = NodeId.of("n3");
        ClusterConfig cluster = ClusterConfig.ofVoters(List.of(n1, n2, n3));
        CountDownLatch gate = new CountDownLatch(1);
        try {
            SnapshotPolicy policy = SnapshotPolicy.DEFAULT.withMinLogFraction(0).withEntriesBetween(10).withKeptEntries(2);
            for (NodeId id : List.of(n1, n2, n3)) {
                start(id, cluster, policy);
                machines.get(id).writeGate = gate;
            }
            RaftServer leader = awaitLeader();
            SnapshottingAppender machine = machines.get(leader.id());
            proposeAll(leader, 0, 10);
            assertThat(machine.writeWaiting.await(20, TimeUnit.SECONDS)).as("a snapshot write started and is held").isTrue();
            // Two hundred more commits, twenty snapshot intervals, while that write is held up.
            proposeAll(leader, 10, 210);
            assertThat(machine.state()).endsWith("v209,");
            assertThat(leader.snapshotStats().snapshotsTaken()).as("the held write is not durable yet").isZero();
            gate.countDown();
            awaitTrue(() -> "the held snapshot, then one for the entries applied behind it (" + leader.snapshotStats() + ")",
                    () -> leader.snapshotStats().snapshotsTaken() >= 2
                            && leader.snapshotStats().latestIndex() >= leader.status().appliedIndex() - 10);
        } finally {
            gate.countDown();
            closeAll();
        }
    }
}
