package io.raftkit.transport.vertx.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.message.InstallSnapshotReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.ReadRoundAck;
import io.raftkit.api.message.ReadIndexReply;
import io.raftkit.api.message.ReadIndexRequest;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.message.VoteReply;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RaftMessageCodecTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("node-b.2");
    private final RaftMessageCodec codec = new RaftMessageCodec(List.of(A));

    static List<RaftMessage> everyType() {
        return List.of(
                new RequestVote(A, B, 3, 10, 2, true, false),
                new VoteReply(A, B, 4, true, true),
                new AppendEntries(A, B, 5, 4, 1, List.of(LogEntry.command(5, 2, new byte[] {1, 2, 3}),
                        LogEntry.noOp(6, 5), LogEntry.command(7, 5, new byte[0])), 3, 17),
                new AppendEntries(A, B, 2, 7, 2, List.of(), 7, 18),
                new AppendReply(A, B, 2, false, 0, 1, 3, 18, 9),
                new ReadRoundAck(A, B, 2, 19),
                new TimeoutNow(A, B, 2),
                new ReadIndexRequest(A, B, 2, -99),
                new ReadIndexReply(A, B, 2, 99, true, 7),
                new InstallSnapshotReply(A, B, 9, "100-8-0badcafe", 100, 4096, false),
                new InstallSnapshotReply(A, B, 9, "x", 1, 0, true));
    }

    private static final SnapshotMeta SNAPSHOT = new SnapshotMeta("100-8-0badcafe", 100, 8,
            new ClusterConfig(Set.of(A, B, NodeId.of("c")), Set.of(NodeId.of("learner-1")), Set.of(A, B, NodeId.of("old")),
                    java.util.Map.of(NodeId.of("learner-1"), "10.0.0.9:7001")), SnapshotKind.RECORDS,
            5000, 0xFFFF_FFFFL);

    /** Every type, InstallSnapshot included (whose byte[] keeps it out of equality checks). */
    static List<RaftMessage> everyTypeWithSnapshotChunks() {
        List<RaftMessage> all = new java.util.ArrayList<>(everyType());
        all.add(new InstallSnapshot(A, B, 9, SNAPSHOT, 0, new byte[] {1, 2, 3}, false));
        all.add(new InstallSnapshot(A, B, 9, SNAPSHOT, 4990, new byte[10], true));
        return all;
    }

    private RaftMessage roundTrip(RaftMessage m) throws MalformedFrameException {
        Buffer frame = Buffer.buffer();
        RaftMessageCodec.writeFrame(m, frame);
        assertThat(frame.length()).isEqualTo(RaftMessageCodec.frameSize(m));
        assertThat(frame.getInt(0)).isEqualTo(frame.length() - WireFormat.LENGTH_BYTES);
        return codec.decode(frame, WireFormat.LENGTH_BYTES, frame.length());
    }

    @Test
    void everyMessageTypeSurvivesEncodeAndDecodeUnchanged() throws Exception {
        for (RaftMessage m : everyType()) {
            assertThat(roundTrip(m)).isEqualTo(m);
        }
    }

    @Test
    void installSnapshotKeepsItsDataBytes() throws Exception {
        byte[] data = new byte[1000];
        new Random(1).nextBytes(data);
        InstallSnapshot sent = new InstallSnapshot(A, B, 9, SNAPSHOT, 4000, data, true);
        InstallSnapshot got = (InstallSnapshot) roundTrip(sent);
        assertThat(got.data()).isEqualTo(data);
        assertThat(got.snapshot()).isEqualTo(SNAPSHOT);
        assertThat(got.snapshot().config().learners()).containsExactly(NodeId.of("learner-1"));
        assertThat(got.snapshot().config().votersOutgoing()).as("a joint configuration stays joint")
                .containsExactly(A, B, NodeId.of("old"));
        assertThat(got.snapshot().config().addresses()).containsEntry(NodeId.of("learner-1"), "10.0.0.9:7001");
        assertThat(List.of(got.from(), got.to(), got.term(), got.lastIncludedIndex(), got.lastIncludedTerm(), got.offset(), got.done()))
                .isEqualTo(List.of(A, B, 9L, 100L, 8L, 4000L, true));
    }

    @Test
    void aChunkThatDoesNotFitTheStatedSnapshotSizeIsAMalformedFrame() {
        Buffer frame = Buffer.buffer();
        RaftMessageCodec.writeFrame(new InstallSnapshot(A, B, 9, SNAPSHOT, 4990, new byte[10], true), frame);
        // the offset sits before done (1 byte), the data size (4) and the data (10)
        frame.setLong(frame.length() - 10 - 4 - 1 - 8, 4995);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("outside the snapshot's 5000 bytes");
    }

    @Test
    void aSnapshotChecksumAboveThirtyTwoBitsIsAMalformedFrame() {
        Buffer frame = Buffer.buffer();
        RaftMessageCodec.writeFrame(new InstallSnapshot(A, B, 9, SNAPSHOT, 0, new byte[0], false), frame);
        // the checksum is the last field before offset (8), done (1) and the data size (4)
        frame.setLong(frame.length() - 4 - 1 - 8 - 8, 1L << 32);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("CRC32C");
    }

    private static int configSizeAt() {
        return 4 + 2 + (1 + 1) + (1 + 8) + 8 + (1 + SNAPSHOT.id().length()) + 8 + 8;
    }

    @Test
    void aForgedConfigurationSizeCannotAllocateMoreThanTheFrameHolds() {
        Buffer frame = Buffer.buffer();
        RaftMessageCodec.writeFrame(new InstallSnapshot(A, B, 9, SNAPSHOT, 0, new byte[0], false), frame);
        assertThat(frame.getInt(configSizeAt())).isEqualTo(SNAPSHOT.config().encode().length);
        frame.setInt(configSizeAt(), Integer.MAX_VALUE);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("configuration");
    }

    @Test
    void aConfigurationThatDoesNotDecodeIsAMalformedFrameNamingIt() {
        Buffer frame = Buffer.buffer();
        RaftMessageCodec.writeFrame(new InstallSnapshot(A, B, 9, SNAPSHOT, 0, new byte[0], false), frame);
        frame.setByte(configSizeAt() + 4, (byte) 99); // the configuration's format version
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("InstallSnapshot").hasMessageContaining("format version");
    }

    @Test
    void aHandshakeFrameIsNotARaftMessage() {
        Buffer frame = Buffer.buffer();
        HandshakeCodec.write(new HandshakeFrame.Hello("raftkit", A, B, new byte[0]), frame);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("handshake");
    }

    @Test
    void everyTruncationOfEveryTypeIsAMalformedFrameNeverAnotherError() throws Exception {
        for (RaftMessage m : everyTypeWithSnapshotChunks()) {
            Buffer frame = Buffer.buffer();
            RaftMessageCodec.writeFrame(m, frame);
            for (int end = 4; end < frame.length(); end++) {
                int cut = end;
                assertThatThrownBy(() -> codec.decode(frame, 4, cut)).isInstanceOf(MalformedFrameException.class);
            }
        }
    }

    @Test
    void anUnknownTypeOrVersionIsNamedInTheError() {
        Buffer frame = Buffer.buffer();
        RaftMessageCodec.writeFrame(new TimeoutNow(A, B, 1), frame);
        frame.setByte(5, (byte) 42);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).hasMessage("unknown message type 42");
        frame.setByte(4, (byte) 9);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).hasMessageContaining("version 9");
    }

    @Test
    void aForgedEntryCountCannotAllocateMoreThanTheFrameHolds() {
        Buffer frame = Buffer.buffer();
        RaftMessageCodec.writeFrame(new AppendEntries(A, B, 2, 7, 2, List.of(), 7, 18), frame);
        frame.setInt(frame.length() - 4, Integer.MAX_VALUE);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).hasMessageContaining("does not fit");
    }

    @Test
    void entriesThatDoNotFollowPrevLogIndexAreRefused() {
        Buffer frame = Buffer.buffer();
        // §5.3: entries start right after prevLogIndex; a gap would corrupt the follower's log.
        RaftMessageCodec.writeFrame(new AppendEntries(A, B, 5, 3, 1, List.of(LogEntry.noOp(5, 5)), 3, 0), frame);
        assertThatThrownBy(() -> codec.decode(frame, 4, frame.length())).hasMessageContaining("expected 4");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomlyMutatedFramesDecodeOrFailCleanly(long seed) {
        Random random = new Random(seed);
        List<RaftMessage> types = everyTypeWithSnapshotChunks();
        for (int i = 0; i < 20_000; i++) {
            Buffer frame = Buffer.buffer();
            RaftMessageCodec.writeFrame(types.get(random.nextInt(types.size())), frame);
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = 4 + random.nextInt(frame.length() - 4);
                frame.setByte(at, (byte) random.nextInt(256));
            }
            try {
                codec.decode(frame, 4, frame.length());
            } catch (MalformedFrameException expected) {
                // bad input named and refused
            } catch (RuntimeException e) {
                fail("seed " + seed + " frame " + i + " escaped as " + e, e);
            }
        }
    }
}
