package io.raftkit.transport.vertx.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Accepted;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Challenge;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Proof;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Refused;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandshakeCodecTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("node-b.2");

    private static Buffer encode(HandshakeFrame f) {
        Buffer out = Buffer.buffer();
        HandshakeCodec.write(f, out);
        return out;
    }

    private static HandshakeFrame roundTrip(HandshakeFrame f) throws MalformedFrameException {
        Buffer frame = encode(f);
        assertThat(frame.getInt(0)).isEqualTo(frame.length() - WireFormat.LENGTH_BYTES);
        return HandshakeCodec.decode(frame, WireFormat.LENGTH_BYTES, frame.length());
    }

    @Test
    void everyHandshakeFrameSurvivesARoundTrip() throws Exception {
        byte[] nonce = new byte[WireFormat.NONCE_BYTES];
        byte[] proof = new byte[WireFormat.PROOF_BYTES];
        new Random(3).nextBytes(nonce);
        new Random(4).nextBytes(proof);
        Hello hello = new Hello("prod-é", A, B, nonce);
        assertThat(roundTrip(hello)).isEqualTo(hello);
        assertThat(roundTrip(new Hello("c", A, B, new byte[0]))).isEqualTo(new Hello("c", A, B, new byte[0]));
        Challenge c = (Challenge) roundTrip(new Challenge(nonce, proof));
        assertThat(c.nonce()).isEqualTo(nonce);
        assertThat(c.proof()).isEqualTo(proof);
        assertThat(((Proof) roundTrip(new Proof(proof))).proof()).isEqualTo(proof);
        assertThat(roundTrip(new Accepted())).isEqualTo(new Accepted());
        for (Refusal r : Refusal.values()) {
            assertThat(roundTrip(new Refused(r))).isEqualTo(new Refused(r));
        }
    }

    @Test
    void theLargestHelloFitsTheHandshakeLimit() {
        Hello largest = new Hello("x".repeat(HandshakeCodec.MAX_CLUSTER_ID_BYTES), NodeId.of("a".repeat(64)),
                NodeId.of("b".repeat(64)), new byte[WireFormat.NONCE_BYTES]);
        assertThat(encode(largest).length() - WireFormat.LENGTH_BYTES).isLessThanOrEqualTo(WireFormat.MAX_HANDSHAKE_FRAME_BYTES);
    }

    @Test
    void everyTruncationAndEveryExtraByteIsAMalformedFrame() {
        List<HandshakeFrame> frames = List.of(new Hello("raftkit", A, B, new byte[WireFormat.NONCE_BYTES]),
                new Challenge(new byte[32], new byte[32]), new Proof(new byte[32]), new Refused(Refusal.BAD_PROOF));
        for (HandshakeFrame f : frames) {
            Buffer frame = encode(f);
            for (int end = WireFormat.LENGTH_BYTES; end < frame.length(); end++) {
                int cut = end;
                assertThatThrownBy(() -> HandshakeCodec.decode(frame, WireFormat.LENGTH_BYTES, cut))
                        .as("%s cut at %d", f, cut).isInstanceOf(MalformedFrameException.class);
            }
            Buffer longer = frame.copy().appendByte((byte) 0);
            assertThatThrownBy(() -> HandshakeCodec.decode(longer, WireFormat.LENGTH_BYTES, longer.length()))
                    .isInstanceOf(MalformedFrameException.class).hasMessageContaining("after the message");
        }
    }

    @Test
    void badFieldsAreRefusedNamingThem() {
        Buffer badNonce = encode(new Hello("raftkit", A, B, new byte[0]));
        badNonce.setByte(badNonce.length() - 1, (byte) 5);
        badNonce.appendBytes(new byte[5]);
        assertThatThrownBy(() -> HandshakeCodec.decode(badNonce, 4, badNonce.length())).hasMessageContaining("nonce of 5 bytes");
        Buffer badUtf8 = encode(new Hello("ab", A, B, new byte[0]));
        badUtf8.setByte(7, (byte) 0xC3); // a lead byte followed by 'b'
        assertThatThrownBy(() -> HandshakeCodec.decode(badUtf8, 4, badUtf8.length())).hasMessageContaining("UTF-8");
        Buffer unknownReason = encode(new Refused(Refusal.PROTOCOL));
        unknownReason.setByte(unknownReason.length() - 1, (byte) 99);
        assertThatThrownBy(() -> HandshakeCodec.decode(unknownReason, 4, unknownReason.length())).hasMessageContaining("refusal code 99");
        Buffer message = Buffer.buffer();
        RaftMessageCodec.writeFrame(new io.raftkit.api.message.TimeoutNow(A, B, 1), message);
        assertThatThrownBy(() -> HandshakeCodec.decode(message, 4, message.length())).hasMessageContaining("expected a handshake frame");
        Buffer old = Buffer.buffer().appendInt(6).appendByte(WireFormat.VERSION).appendByte(WireFormat.HELLO_WITHOUT_CLUSTER)
                .appendBytes(new byte[] {1, 'a', 1, 'b'});
        assertThatThrownBy(() -> HandshakeCodec.decode(old, 4, old.length())).hasMessageContaining("older");
        assertThat(Arrays.stream(Refusal.values()).map(Refusal::code).distinct().count()).isEqualTo(Refusal.values().length);
    }
}
