package io.raftkit.benchmarks.kv;

import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.SessionStamp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * The KV state machine's share of a restart with 1 million keys (100-byte values): {@code restore}
 * reads the snapshot's records (a transfer stream in memory, so the disk is not measured) into a
 * new state machine; the baseline in the same run, {@code replay}, applies the million puts that
 * made that state, which is what a restart without a snapshot does. Also {@code write}: the
 * snapshot writer thread's work, the records of a captured view into a stream.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'kv.KvSnapshotRestoreBenchmark' -f 1 -wi 1 -i 3
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class KvSnapshotRestoreBenchmark {

    private static final int KEYS = 1_000_000;

    private byte[][] puts;
    private byte[] stream;
    private KvStateMachine full;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        puts = new byte[KEYS][];
        full = new KvStateMachine();
        for (int k = 0; k < KEYS; k++) {
            puts[k] = KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_700_000_000_000L), String.format("key-%08d", k),
                    "v".repeat(100)));
            full.apply(k + 1, puts[k]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        full.snapshot(out);
        stream = out.toByteArray();
    }

    @Benchmark
    public KvStateMachine restore() throws IOException {
        KvStateMachine sm = new KvStateMachine();
        sm.restore(new ByteArrayInputStream(stream));
        return sm;
    }

    @Benchmark
    public KvStateMachine replay() {
        KvStateMachine sm = new KvStateMachine();
        for (int k = 0; k < KEYS; k++) {
            sm.apply(k + 1, puts[k]);
        }
        return sm;
    }

    @Benchmark
    public int write() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(stream.length);
        full.snapshot(out);
        return out.size();
    }
}
