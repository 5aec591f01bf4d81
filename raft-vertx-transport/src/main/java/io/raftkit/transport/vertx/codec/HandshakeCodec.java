package io.raftkit.transport.vertx.codec;

import static io.raftkit.transport.vertx.codec.WireFormat.*;

import io.raftkit.api.NodeId;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Accepted;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Challenge;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Proof;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Refused;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Encodes and decodes the handshake frames (layout in {@link WireFormat}). Decoding refuses anything
 * but a well-formed frame of the expected size: a handshake comes from a stranger until it is done.
 */
public final class HandshakeCodec {

    /** Longest cluster id in bytes (UTF-8), so a hello fits in {@link WireFormat#MAX_HANDSHAKE_FRAME_BYTES}. */
    public static final int MAX_CLUSTER_ID_BYTES = 255;

    private HandshakeCodec() {
    }

    /** Appends one complete frame (length, version, type, body). */
    public static void write(HandshakeFrame frame, Buffer out) {
        int lengthAt = out.length();
        out.appendInt(0);
        out.appendByte(VERSION);
        if (frame instanceof Hello h) {
            byte[] cluster = h.clusterId().getBytes(StandardCharsets.UTF_8);
            out.appendByte(HELLO).appendByte((byte) cluster.length).appendBytes(cluster);
            writeId(h.from(), out);
            writeId(h.to(), out);
            byte[] nonce = h.nonce();
            out.appendByte((byte) nonce.length).appendBytes(nonce);
        } else if (frame instanceof Challenge c) {
            out.appendByte(CHALLENGE).appendBytes(c.nonce()).appendBytes(c.proof());
        } else if (frame instanceof Proof p) {
            out.appendByte(PROOF).appendBytes(p.proof());
        } else if (frame instanceof Accepted) {
            out.appendByte(ACCEPTED);
        } else if (frame instanceof Refused r) {
            out.appendByte(REFUSED).appendByte((byte) r.reason().code());
        } else {
            throw new AssertionError("unhandled " + frame);
        }
        out.setInt(lengthAt, out.length() - lengthAt - LENGTH_BYTES);
    }

    /** Decodes a handshake frame spanning {@code [start, end)} (from the version byte on). */
    public static HandshakeFrame decode(Buffer frame, int start, int end) throws MalformedFrameException {
        byte type = RaftMessageCodec.typeAt(frame, start, end);
        FrameReader in = new FrameReader(frame, start + HEADER_BYTES, end);
        HandshakeFrame decoded;
        switch (type) {
            case HELLO:
                decoded = new Hello(readClusterId(in), readId(in, "hello.from"), readId(in, "hello.to"), readNonce(in));
                break;
            case CHALLENGE:
                decoded = new Challenge(in.readBytes(NONCE_BYTES, "challenge nonce"), in.readBytes(PROOF_BYTES, "challenge proof"));
                break;
            case PROOF:
                decoded = new Proof(in.readBytes(PROOF_BYTES, "proof"));
                break;
            case ACCEPTED:
                decoded = new Accepted();
                break;
            case REFUSED:
                decoded = new Refused(Refusal.of(in.readByte("refusal reason") & 0xff));
                break;
            case HELLO_WITHOUT_CLUSTER:
                throw new MalformedFrameException("a hello without a cluster id (frame type 100): the dialer runs"
                        + " a RaftKit older than this node's handshake and must be upgraded");
            default:
                throw new MalformedFrameException("expected a handshake frame, got type " + type);
        }
        in.expectEnd();
        return decoded;
    }

    private static String readClusterId(FrameReader in) throws MalformedFrameException {
        int size = in.readByte("cluster id size") & 0xff;
        if (size < 1) {
            throw new MalformedFrameException("empty cluster id");
        }
        byte[] bytes = in.readBytes(size, "cluster id");
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFrameException("cluster id is not valid UTF-8");
        }
    }

    private static byte[] readNonce(FrameReader in) throws MalformedFrameException {
        int size = in.readByte("nonce size") & 0xff;
        if (size != 0 && size != NONCE_BYTES) {
            throw new MalformedFrameException("nonce of " + size + " bytes; expected 0 or " + NONCE_BYTES);
        }
        return in.readBytes(size, "nonce");
    }

    private static NodeId readId(FrameReader in, String what) throws MalformedFrameException {
        int size = in.readByte(what) & 0xff;
        if (size < 1 || size > 64) {
            throw new MalformedFrameException(what + " node id size " + size + " is outside 1..64");
        }
        try {
            return NodeId.of(new String(in.readBytes(size, what), StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(what + ": " + e.getMessage());
        }
    }

    private static void writeId(NodeId id, Buffer out) {
        String value = id.value();
        out.appendByte((byte) value.length());
        for (int i = 0; i < value.length(); i++) {
            out.appendByte((byte) value.charAt(i)); // NodeId admits ASCII only
        }
    }
}
