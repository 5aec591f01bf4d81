package io.raftkit.benchmarks.restart;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.SessionStamp;
import io.raftkit.storage.mapdb.MapDbSnapshotStore;
import io.raftkit.storage.mapdb.SnapshotSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a restarted KV node's snapshot load goes, phase by phase, in a fresh JVM as at a restart:
 * opening the {@code mapdb} snapshot store (which checks the newest snapshot's files' CRC32C), reading the
 * newest snapshot's records, and restoring them into a {@link KvStateMachine}. {@code write DIR KEYS}
 * makes a store of two snapshots of KEYS keys with 100-byte values (what the restart benchmark's node
 * holds); {@code read DIR} times the phases; {@code scan DIR} times the records without the state
 * machine (the store's share alone).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.raftkit.benchmarks.restart.RestorePhases write /var/tmp/rp 1000000
 * java -cp benchmarks/target/benchmarks.jar io.raftkit.benchmarks.restart.RestorePhases read /var/tmp/rp
 * java -cp benchmarks/target/benchmarks.jar io.raftkit.benchmarks.restart.RestorePhases scan /var/tmp/rp
 * </pre>
 */
public final class RestorePhases {

    private static final String CLUSTER = "restore-phases";

    private RestorePhases() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("write")) {
            write(dir, Integer.parseInt(args[2]));
        } else {
            read(dir, args[0].equals("read"));
        }
        System.exit(0);
    }

    private static void write(Path dir, int keys) throws Exception {
        Files.createDirectories(dir);
        KvStateMachine sm = new KvStateMachine();
        String value = "v".repeat(100);
        try (SnapshotStore store = MapDbSnapshotStore.open(dir, CLUSTER, SnapshotSettings.DEFAULTS)) {
            for (int k = 0; k < keys; k++) {
                sm.apply(k + 1, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_700_000_000_000L),
                        String.format("key-%08d", k), value)));
                if (k == keys / 2 || k == keys - 1) {
                    try (StateMachineSnapshot s = sm.captureSnapshot();
                         SnapshotStore.SnapshotBuilder b = store.create(k + 1, 1, ClusterConfig.ofVoters("n1"), s.kind())) {
                        s.writeTo(b);
                        SnapshotMeta m = b.commit();
                        System.out.printf(Locale.ROOT, "snapshot %s: %,d bytes%n", m.id(), m.sizeBytes());
                    }
                }
            }
        }
    }

    private static void read(Path dir, boolean restore) throws Exception {
        long t0 = System.nanoTime();
        try (SnapshotStore store = MapDbSnapshotStore.open(dir, CLUSTER, SnapshotSettings.DEFAULTS)) {
            long t1 = System.nanoTime();
            SnapshotMeta newest = store.latest().orElseThrow();
            long records = 0;
            long t2;
            try (SnapshotReader r = store.read(newest.id())) {
                if (restore) {
                    new KvStateMachine().restoreSnapshot(r);
                } else {
                    long sum = 0;
                    while (r.nextRecord()) {
                        sum += r.key().length + r.value().length;
                        records++;
                    }
                    System.out.println("bytes " + sum);
                }
                t2 = System.nanoTime();
            }
            long gcs = 0;
            long gcMillis = 0;
            for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gcs += gc.getCollectionCount();
                gcMillis += gc.getCollectionTime();
            }
            // The process's CPU time moves with this host's load far less than the wall time does.
            long cpuNanos = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
            System.out.printf(Locale.ROOT, "open store (checks the newest snapshot's files) %.0f ms, %s %.0f ms%s, collections %d"
                    + " taking %d ms in all, JVM CPU %.2f s in all, allocated by this thread %.0f MB, load %s%n", (t1 - t0) / 1e6,
                    restore ? "restore into KvStateMachine" : "read records", (t2 - t1) / 1e6,
                    restore ? "" : " (" + records + " records)", gcs, gcMillis, cpuNanos / 1e9,
                    ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                            .getCurrentThreadAllocatedBytes() / 1e6,
                    Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        }
    }
}
