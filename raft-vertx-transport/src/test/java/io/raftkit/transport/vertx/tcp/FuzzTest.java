package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.raftkit.api.ClusterConfig;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.ReadIndexReply;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.message.VoteReply;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Throws at least 100,000 random and mutated frames at a live vertx-tcp node while two members keep
 * exchanging messages with it. The node must keep delivering valid traffic, and its heap after GC
 * must stay bounded. Seeded: a failure prints the seed ({@code -Draftkit.fuzz.seed=...} replays it).
 */
class FuzzTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    /** The member the fuzz connections speak as; never started, so they replace no real link. */
    private static final NodeId D = NodeId.of("d");
    private static final int FRAMES = 100_000;
    private static final int FRAMES_PER_CONNECTION = 4;

    @Test
    void aHundredThousandBadFramesLeaveTheNodeServingWithBoundedMemory() throws Exception {
        long seed = Long.getLong("raftkit.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B, C, D));
        int portOfB = Integer.parseInt(addresses.get(B).split(":")[1]);
        Logger connectionLog = (Logger) LoggerFactory.getLogger(InboundConnection.class);
        Level level = connectionLog.getLevel();
        // b admits without a credential (on loopback), so a fuzz connection can send its hello and
        // frames in one write: the storm exercises decoding, which the handshake would only slow down.
        Map<String, String> insecure = Map.of("insecure-peers", "true");
        try (LiveNode b = new LiveNode(B, addresses, Map.of("max-frame-bytes", "1048576", "insecure-peers", "true",
                     "max-pending-handshakes", "100000", "max-pending-handshakes-per-host", "100000"));
             LiveNode a = new LiveNode(A, addresses, insecure);
             LiveNode c = new LiveNode(C, addresses, insecure)) {
            long heapBefore = heapAfterGc();
            AtomicBoolean fuzzing = new AtomicBoolean(true);
            AtomicLong validSent = new AtomicLong();
            // Valid members keep talking to b (and b to them) throughout.
            Thread members = new Thread(() -> {
                long i = 0;
                while (fuzzing.get()) {
                    a.transport.send(new ReadIndexReply(A, B, 1, i, true, i));
                    b.transport.send(new ReadIndexReply(B, C, 1, i, true, i));
                    validSent.incrementAndGet();
                    i++;
                    sleep(1);
                }
            }, "valid-members");
            members.start();
            connectionLog.setLevel(Level.ERROR); // thousands of expected WARN lines would drown the output
            long sent;
            try {
                sent = fuzz(random, portOfB, b);
                awaitQuiet(b); // the node may still be reading what the kernel buffered
            } finally {
                connectionLog.setLevel(level);
                fuzzing.set(false);
                members.join();
            }
            String replay = " (replay with -Draftkit.fuzz.seed=" + seed + ")";
            assertThat(sent).as("frames sent" + replay).isGreaterThanOrEqualTo(FRAMES);
            // Each connection dies at its first bad frame, so most connections must have been read and refused.
            double decodeErrors = b.counter("raftkit.transport.decode.errors");
            System.out.printf("fuzz: %d frames on %d connections, %.0f refused as malformed%n", sent,
                    sent / FRAMES_PER_CONNECTION, decodeErrors);
            assertThat(decodeErrors).as("decode errors" + replay).isGreaterThan(sent / FRAMES_PER_CONNECTION / 2.0);

            long validDuringFuzz = b.inbox.stream().filter(m -> m instanceof ReadIndexReply).count();
            assertThat(validDuringFuzz).as("valid messages delivered to b while fuzzed" + replay).isGreaterThan(0);
            assertThat(Await.until(Duration.ofSeconds(10),
                    () -> c.inbox.size() >= validSent.get() * 9 / 10)).as("b kept sending to c" + replay).isTrue();

            // After the storm, a fresh batch from a arrives whole (mutated fuzz frames may also
            // have delivered odd but valid TimeoutNows, so look for these exact ones).
            List<RaftMessage> fresh = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                fresh.add(new TimeoutNow(A, B, 7_000_000_000L + i));
            }
            fresh.forEach(a.transport::send);
            assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.containsAll(fresh)))
                    .as("traffic flows after the fuzz" + replay).isTrue();

            b.inbox.clear();
            c.inbox.clear();
            long heapAfter = heapAfterGc();
            assertThat(heapAfter - heapBefore).as("heap growth after GC" + replay).isLessThan(64L << 20);
        }
    }

    /** Sends mutated valid frames (mostly) and raw garbage over short connections; returns frames sent. */
    private static long fuzz(Random random, int port, LiveNode target) throws InterruptedException {
        long sent = 0;
        long connections = 0;
        boolean throttle = true; // given up after one stall, so a slow machine cannot stretch the test
        while (sent < FRAMES) {
            if (++connections % 50 == 0 && throttle) {
                // Let the node catch up, so the storm tests decoding rather than the cap on pending
                // handshakes or the file-descriptor limit.
                long opened = connections;
                throttle = Await.until(Duration.ofSeconds(10), () -> target.counter("raftkit.transport.decode.errors")
                        + target.counter("raftkit.transport.connections.refused") >= opened * 0.9 - 50);
            }
            Buffer batch = Buffer.buffer();
            boolean handshake = random.nextInt(10) != 0; // most connections get past the handshake
            if (handshake) {
                batch.appendBuffer(RawPeer.frame(new Hello(RawPeer.CLUSTER, D, B, new byte[0])));
            }
            for (int i = 0; i < FRAMES_PER_CONNECTION; i++) {
                batch.appendBuffer(randomFrame(random));
            }
            sent += FRAMES_PER_CONNECTION;
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoLinger(true, 0); // reset on close: no TIME_WAIT pile-up over thousands of sockets
                OutputStream out = socket.getOutputStream();
                out.write(batch.getBytes());
                out.flush();
            } catch (IOException closedByTheNode) {
                // the node hung up on the garbage mid-write: exactly what it should do
            }
        }
        return sent;
    }

    private static Buffer randomFrame(Random random) {
        Buffer frame = Buffer.buffer();
        int kind = random.nextInt(100);
        if (kind < 10) {
            // pure noise, length prefix included
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            return frame.appendBytes(noise);
        }
        RaftMessageCodec.writeFrame(validMessage(random), frame);
        if (kind < 20) {
            frame.setInt(0, random.nextInt()); // a lying length prefix
        } else if (kind < 30) {
            int cut = 4 + random.nextInt(frame.length() - 4);
            Buffer truncated = frame.getBuffer(0, cut);
            truncated.setInt(0, cut - 4); // consistent length, truncated body
            return truncated;
        } else if (kind < 90) {
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int at = 4 + random.nextInt(frame.length() - 4); // keep the framing, garble the content
                frame.setByte(at, (byte) random.nextInt(256));
            }
        }
        return frame; // the rest stay valid, so the connection lives on to read more mutations
    }

    private static RaftMessage validMessage(Random random) {
        switch (random.nextInt(6)) {
            case 0:
                return new AppendEntries(D, B, 3, 10, 2, List.of(LogEntry.command(11, 3, new byte[random.nextInt(200)]),
                        LogEntry.noOp(12, 3)), 9, random.nextInt(100));
            case 1:
                return new RequestVote(D, B, 4, 12, 3, random.nextBoolean(), false);
            case 2:
                return new VoteReply(D, B, 4, random.nextBoolean(), false);
            case 3:
                return new AppendReply(D, B, 3, true, 12, 0, 0, 5, 11);
            case 4: {
                byte[] chunk = new byte[random.nextInt(300)];
                random.nextBytes(chunk);
                SnapshotMeta snapshot = new SnapshotMeta("10-2-00c0ffee", 10, 2, ClusterConfig.ofVoters(List.of(D, B)),
                        SnapshotKind.RECORDS, 1000, 0xc0ffeeL);
                return new InstallSnapshot(D, B, 3, snapshot, 1000 - chunk.length, chunk, true);
            }
            default:
                return new TimeoutNow(D, B, 3);
        }
    }

    private static void awaitQuiet(LiveNode node) throws InterruptedException {
        double last = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            double now = node.counter("raftkit.transport.decode.errors");
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(300);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
