package io.raftkit.benchmarks.snapshot;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.ForwardingSnapshotStore;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.SnapshotPolicy;
import io.raftkit.storage.mapdb.MapDbSnapshotStore;
import io.raftkit.storage.mapdb.SnapshotSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The follower of {@link InstallSnapshotSpeed}, in its own JVM so its heap bound ({@code -Xmx}) is
 * its own: an empty learner on {@code vertx-tcp} with the {@code mapdb} log and snapshot stores,
 * that must catch up by InstallSnapshot. It times the transfer inside its snapshot store, from the
 * first chunk written to the end of {@code install()} (the snapshot checked, forced and renamed
 * into place: durable), then waits for the state machine's restore, prints one line and exits.
 *
 * <pre>
 * args: SELF SELF_ADDRESS LEADER LEADER_ADDRESS CLUSTER_ID DATA_DIR
 * out:  ready
 *       installed bytes=N transfer_ms=T install_ms=I restore_ms=R heap_max_mb=M heap_peak_mb=P
 * </pre>
 */
public final class InstallSnapshotReceiver {

    private InstallSnapshotReceiver() {
    }

    public static void main(String[] args) throws Exception {
        NodeId self = NodeId.of(args[0]);
        NodeId leader = NodeId.of(args[2]);
        Map<NodeId, String> addresses = Map.of(self, args[1], leader, args[3]);
        String clusterId = args[4];
        Path dataDir = Path.of(args[5]);
        TimedStore store = new TimedStore(MapDbSnapshotStore.open(dataDir, clusterId, SnapshotSettings.DEFAULTS));
        GeneratedBytes machine = new GeneratedBytes();
        RaftServer server = RaftServer.builder().self(self).clusterId(clusterId)
                .cluster(new ClusterConfig(Set.of(leader), Set.of(self))).addresses(addresses)
                .config(RaftConfig.defaults()).dataDir(dataDir)
                .transport("vertx-tcp", Options.EMPTY).logStore("mapdb", Options.EMPTY).snapshotStore(store)
                .snapshotPolicy(SnapshotPolicy.manualOnly()).stateMachine(machine).build();
        server.start();
        System.out.println("ready");
        System.out.flush();
        while (machine.restoredNanos() == 0) {
            Thread.sleep(5);
        }
        // One println after the server closed: its log shares stdout and must not split the line the leader parses.
        String result = String.format(Locale.ROOT, "installed bytes=%d transfer_ms=%.1f cpu_ms=%.1f install_ms=%.1f restore_ms=%.1f heap_max_mb=%d heap_peak_mb=%d",
                store.bytes, (store.installedAt - store.firstChunkAt) / 1e6, (store.installedCpu - store.firstChunkCpu) / 1e6,
                store.installNanos / 1e6,
                machine.restoredNanos() / 1e6, Runtime.getRuntime().maxMemory() >> 20, heapPeakBytes() >> 20);
        server.close();
        System.out.println(result);
        System.out.flush();
        System.exit(0);
    }

    /** CPU time of the whole process (every thread, user and system), in ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The sum of the heap pools' peaks: what the receiver's heap held at most (an upper bound: pools peak apart). */
    private static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** The mapdb store, with the time of the first chunk written and of the install's end. */
    private static final class TimedStore extends ForwardingSnapshotStore {
        volatile long firstChunkAt;
        volatile long firstChunkCpu;
        volatile long installedAt;
        volatile long installedCpu;
        volatile long installNanos;
        volatile long bytes;

        TimedStore(SnapshotStore delegate) {
            super(delegate);
        }

        @Override
        public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
            return new Receiver(super.receive(meta)) {
                @Override
                public boolean write(long offset, byte[] data) throws IOException {
                    if (offset == 0 && firstChunkAt == 0) {
                        firstChunkAt = System.nanoTime();
                        firstChunkCpu = processCpuNanos();
                    }
                    return super.write(offset, data);
                }

                @Override
                public SnapshotMeta install() throws IOException {
                    long start = System.nanoTime();
                    SnapshotMeta installed = super.install();
                    installedAt = System.nanoTime();
                    installedCpu = processCpuNanos();
                    installNanos = installedAt - start;
                    bytes = installed.sizeBytes();
                    return installed;
                }
            };
        }
    }
}
