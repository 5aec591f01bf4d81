package io.raftkit.benchmarks.codec;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.codec.MalformedFrameException;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * Encode and decode of the vertx-tcp binary frame against a JSON encoding of the same message
 * (Jackson streaming, the fastest JSON Jackson offers, payloads in base64), for a heartbeat and for
 * an AppendEntries carrying 64 entries of 100 bytes. MB/s of entry payload = 6400 bytes / (ns/op).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'io.raftkit.benchmarks.codec.*' -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CodecBenchmark {

    static final NodeId LEADER = NodeId.of("n1");
    static final NodeId FOLLOWER = NodeId.of("n2");

    @Param({"heartbeat", "append64x100"})
    public String message;

    private final RaftMessageCodec codec = new RaftMessageCodec(List.of(LEADER, FOLLOWER, NodeId.of("n3")));
    private RaftMessage value;
    private Buffer binary;
    private byte[] json;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        value = message.equals("heartbeat") ? heartbeat() : append(64, 100);
        binary = Buffer.buffer();
        RaftMessageCodec.writeFrame(value, binary);
        json = JsonCodec.encode(value);
        if (!JsonCodec.decode(json).equals(value)) {
            throw new IllegalStateException("the JSON baseline does not round-trip " + value);
        }
    }

    static AppendEntries heartbeat() {
        return new AppendEntries(LEADER, FOLLOWER, 7, 1_000_000, 7, List.of(), 999_990, 42);
    }

    static AppendEntries append(int entries, int payloadBytes) {
        Random random = new Random(1);
        List<LogEntry> list = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            byte[] payload = new byte[payloadBytes];
            random.nextBytes(payload);
            list.add(LogEntry.command(1_000_001 + i, 7, payload));
        }
        return new AppendEntries(LEADER, FOLLOWER, 7, 1_000_000, 7, list, 999_990, 42);
    }

    @Benchmark
    public Buffer binaryEncode() {
        Buffer out = Buffer.buffer(RaftMessageCodec.frameSize(value));
        RaftMessageCodec.writeFrame(value, out);
        return out;
    }

    @Benchmark
    public RaftMessage binaryDecode() throws MalformedFrameException {
        return codec.decode(binary, WireFormat.LENGTH_BYTES, binary.length());
    }

    @Benchmark
    public byte[] jsonEncode() throws IOException {
        return JsonCodec.encode(value);
    }

    @Benchmark
    public RaftMessage jsonDecode() throws IOException {
        return JsonCodec.decode(json);
    }
}
