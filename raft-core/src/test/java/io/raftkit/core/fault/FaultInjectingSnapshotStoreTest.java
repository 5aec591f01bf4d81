package io.raftkit.core.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
import io.raftkit.api.spi.SnapshotStore.SnapshotReceiver;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.memory.MemorySnapshotStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulated power loss of the log store stops the node's snapshot writes at the same instant:
 * a snapshot not yet committed then never becomes durable, as on a machine whose power went.
 */
class FaultInjectingSnapshotStoreTest {

    private static final ClusterConfig CONFIG = ClusterConfig.ofVoters(java.util.Set.of(NodeId.of("n1")));

    @TempDir
    Path dir;

    private FaultInjectingLogStore log() throws Exception {
        return new FaultInjectingLogStore(new MemoryLogStore(), dir, true, 0);
    }

    private FaultInjectingSnapshotStore snapshots() {
        return new FaultInjectingSnapshotStore(new MemorySnapshotStore(), PowerSupply.of(dir));
    }

    private static SnapshotBuilder started(SnapshotStore store, long index) throws Exception {
        SnapshotBuilder b = store.create(index, 1, CONFIG, SnapshotKind.RECORDS);
        b.put("k".getBytes(StandardCharsets.UTF_8), ("v" + index).getBytes(StandardCharsets.UTF_8));
        return b;
    }

    @Test
    void aSnapshotCommittedAfterTheLogStoresCrashIsRefusedAndNeverBecomesTheNewest() throws Exception {
        FaultInjectingLogStore log = log();
        FaultInjectingSnapshotStore snapshots = snapshots();
        SnapshotMeta before;
        try (SnapshotBuilder b = started(snapshots, 100)) {
            before = b.commit();
        }
        SnapshotBuilder underWay = started(snapshots, 200);
        log.crash();
        assertThatThrownBy(underWay::commit).hasMessageContaining("power").hasMessageContaining("off");
        underWay.close();
        assertThat(snapshots.latest()).as("what was committed before the power went stays").contains(before);
    }

    @Test
    void aSnapshotArrivingFromTheLeaderIsNotInstalledAfterTheCrash() throws Exception {
        SnapshotStore leader = new MemorySnapshotStore();
        SnapshotMeta meta;
        try (SnapshotBuilder b = started(leader, 50)) {
            meta = b.commit();
        }
        FaultInjectingLogStore log = log();
        FaultInjectingSnapshotStore follower = snapshots();
        try (SnapshotReceiver r = follower.receive(meta); InputStream in = leader.openStream(meta.id())) {
            r.write(0, in.readAllBytes());
            log.crash();
            assertThatThrownBy(r::install).hasMessageContaining("power");
        }
        assertThat(follower.latest()).isEmpty();
    }

    @Test
    void theRestartedNodeHasPowerAgain() throws Exception {
        PowerSupply old = PowerSupply.of(dir);
        log().crash();
        assertThat(old.isOn()).isFalse();
        assertThat(PowerSupply.of(dir).isOn()).as("a store opened after the crash is the restarted node").isTrue();
        try (SnapshotBuilder b = started(snapshots(), 10)) {
            assertThat(b.commit().lastIncludedIndex()).isEqualTo(10);
        }
    }

    @Test
    void theCutWaitsForADurableWriteUnderWayWhichThenCounts() throws Exception {
        PowerSupply power = PowerSupply.of(null);
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                power.durably("test write", () -> {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    return null;
                });
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        writer.start();
        inside.await();
        Thread cutter = new Thread(power::cut);
        cutter.start();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (cutter.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(cutter.getState()).as("the cut waits for the write").isEqualTo(Thread.State.BLOCKED);
        assertThat(power.isOn()).isTrue();
        release.countDown();
        cutter.join(5_000);
        writer.join(5_000);
        assertThat(power.isOn()).isFalse();
        assertThatThrownBy(() -> power.durably("late write", () -> null)).hasMessageContaining("late write refused");
    }
}
