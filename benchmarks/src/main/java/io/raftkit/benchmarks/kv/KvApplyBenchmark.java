package io.raftkit.benchmarks.kv;

import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.SessionStamp;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the KV state machine costs per applied put, on every replica: decode, the session check and
 * its digest, the map update, the encoded result. The baseline in the same run is the same put
 * without a session (no digest, no session table), so {@code session - anonymous} is what
 * exactly-once costs per command. 1,000 keys, 100-byte values, 64 client sessions as a 64-caller
 * KvClient keeps.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'kv.KvApplyBenchmark' -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KvApplyBenchmark {

    private static final int KEYS = 1_000;
    private static final int SESSIONS = 64;

    @Param({"anonymous", "session"})
    public String stamp;

    private KvStateMachine sm;
    private byte[][] commands;
    private long index;
    private int next;
    private final long[] sequences = new long[SESSIONS];

    @Setup(Level.Trial)
    public void setUp() {
        sm = new KvStateMachine();
        commands = new byte[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            int client = k % SESSIONS;
            SessionStamp s = stamp.equals("session") ? new SessionStamp(1 + client, 1, 1_700_000_000_000L)
                    : SessionStamp.anonymous(1_700_000_000_000L);
            commands[k] = KvCodec.encode(new KvCommand.Put(s, "key-" + k, "v".repeat(100)));
        }
        index = 0;
    }

    @Benchmark
    public byte[] applyPut() {
        int k = next++ % KEYS;
        byte[] command = commands[k];
        if (stamp.equals("session")) {
            // The stamp is type, client id, sequence, leader time: each put of a client is its next sequence.
            ByteBuffer.wrap(command).putLong(1 + 8, ++sequences[k % SESSIONS]);
        }
        return sm.apply(++index, command);
    }
}
