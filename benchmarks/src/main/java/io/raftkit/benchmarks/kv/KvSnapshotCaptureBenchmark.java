package io.raftkit.benchmarks.kv;

import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvEntry;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.KvValue;
import io.raftkit.kv.SessionStamp;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a KV snapshot capture costs the loop thread on a map of 1 million keys (16-byte values):
 * {@code capture} is {@link KvStateMachine#captureSnapshot()} (freeze the copy-on-write maps);
 * the baseline in the same run, {@code treeMapCopy}, is what copying the map at capture would
 * cost (a {@code TreeMap} of the same entries, shared values, copied). {@code put} is one applied
 * put in steady state, and {@code captureThenPut} a capture before every put, so every put copies
 * its whole path: the most a write can pay for snapshots (normally only the first write to a path
 * after a capture pays it).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'kv.KvSnapshotCaptureBenchmark' -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class KvSnapshotCaptureBenchmark {

    private static final int KEYS = 1_000_000;

    private KvStateMachine sm;
    private TreeMap<String, KvEntry> copyBaseline;
    private byte[][] puts;
    private long index;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        sm = new KvStateMachine();
        copyBaseline = new TreeMap<>();
        for (int k = 0; k < KEYS; k++) {
            String key = String.format("key-%08d", k);
            sm.apply(++index, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_700_000_000_000L), key, "v".repeat(16))));
            copyBaseline.put(key, new KvEntry(KvValue.of("v".repeat(16)), 1, index, index));
        }
        puts = new byte[4096][];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < puts.length; i++) {
            puts[i] = KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_700_000_000_000L),
                    String.format("key-%08d", random.nextInt(KEYS)), "w".repeat(16)));
        }
    }

    @Benchmark
    public StateMachineSnapshot capture() {
        StateMachineSnapshot s = sm.captureSnapshot();
        s.close();
        return s;
    }

    @Benchmark
    public TreeMap<String, KvEntry> treeMapCopy() {
        return new TreeMap<>(copyBaseline);
    }

    @Benchmark
    public byte[] put() {
        return sm.apply(++index, puts[next++ & (puts.length - 1)]);
    }

    @Benchmark
    public byte[] captureThenPut() {
        sm.captureSnapshot().close();
        return sm.apply(++index, puts[next++ & (puts.length - 1)]);
    }
}
