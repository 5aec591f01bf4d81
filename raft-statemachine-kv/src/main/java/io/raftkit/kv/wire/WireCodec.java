package io.raftkit.kv.wire;

import io.raftkit.kv.KvValue;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * The binary client protocol, spoken on an HTTP connection after {@code GET /v1/stream} with
 * {@code Connection: Upgrade} and {@code Upgrade: raftkit-kv/1} was answered 101. Beside the JSON
 * API, for clients that send many requests: one connection carries any number of requests at once
 * (each answer names its request), values travel as their bytes (no JSON escaping, no Base64),
 * and many frames share one socket write. Big-endian throughout; every frame is a 4-byte length and
 * that many bytes.
 *
 * <pre>
 * request:  u8 op (1 put, 2 delete, 3 cas, 4 get, 5 stale get) | u32 id
 *           | writes only: u64 client id, u64 sequence (0 and 0: no session)
 *           | u16 key length | key (UTF-8)
 *           | put: u32 value length | value
 *           | cas: u8 expected present (0 or 1) | [u32 length | expected] | u32 value length | value
 * response: u32 id | u16 status | u8 kind
 *           | kind 0, a result (status 200): u8 flags (1 duplicate, 2 value forgotten, 4 cas failed)
 *             | u64 version | u64 create index | u64 mod index | u64 index | u8 value present | [u32 length | value]
 *           | kind 1, an error: the JSON API's error object for the same status, UTF-8, to the frame's end
 * </pre>
 *
 * A read of an absent key and a delete of one are errors (404 {@code key-not-found}), as in the JSON API.
 */
public final class WireCodec {

    /** The {@code Upgrade} token. */
    public static final String PROTOCOL = "raftkit-kv/1";
    /** The path the upgrade request names. */
    public static final String PATH = "/v1/stream";
    /** The header of the 101 answer that names the node (as {@code servedBy} does in the JSON API). */
    public static final String SERVED_BY = "X-Raftkit-Served-By";
    public static final int LENGTH_BYTES = 4;
    /** The longest key the u16 length can carry; servers refuse keys over their own limit first. */
    public static final int MAX_KEY_BYTES = 0xFFFF;
    /** A request's bytes besides its key and values. */
    public static final int REQUEST_OVERHEAD_BYTES = 1 + 4 + 16 + 2 + 1 + 4 + 4;

    private static final int RESULT = 0;
    private static final int ERROR = 1;

    private WireCodec() {
    }

    /** Appends {@code r} as one frame. */
    public static void write(WireRequest r, Buffer out) {
        byte[] key = r.key().getBytes(StandardCharsets.UTF_8);
        if (key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key is " + key.length + " bytes; the protocol carries at most " + MAX_KEY_BYTES);
        }
        int lengthAt = out.length();
        out.appendInt(0);
        out.appendByte((byte) r.op().code()).appendInt(r.id());
        if (r.op().isWrite()) {
            out.appendLong(r.clientId()).appendLong(r.sequence());
        }
        out.appendUnsignedShort(key.length).appendBytes(key);
        if (r.op() == WireOp.CAS) {
            out.appendByte((byte) (r.expected() == null ? 0 : 1));
            if (r.expected() != null) {
                appendValue(out, r.expected());
            }
        }
        if (r.value() != null) {
            appendValue(out, r.value());
        }
        out.setInt(lengthAt, out.length() - lengthAt - LENGTH_BYTES);
    }

    /** The request in the frame body from {@code start} to {@code end}. */
    public static WireRequest readRequest(Buffer frame, int start, int end) throws MalformedFrameException {
        Reader in = new Reader(frame, start, end);
        int code = in.u8("op");
        WireOp op = WireOp.of(code);
        int id = in.i32("id");
        if (op == null) {
            throw new MalformedFrameException("bad-frame", "unknown op " + code + " in request " + id);
        }
        long clientId = 0;
        long sequence = 0;
        if (op.isWrite()) {
            clientId = in.i64("client id");
            sequence = in.i64("sequence");
            if (clientId < 0 || sequence < 0 || (clientId == 0) != (sequence == 0)) {
                throw new MalformedFrameException("invalid-header", "request " + id + ": client id and sequence must both be"
                        + " positive, or both 0 for no session; were " + clientId + " and " + sequence);
            }
        }
        String key = in.utf8(in.u16("key length"), "key", id);
        KvValue expected = null;
        KvValue value = null;
        if (op == WireOp.CAS) {
            int present = in.u8("expected flag");
            if (present > 1) {
                throw new MalformedFrameException("bad-frame", "request " + id + ": the expected flag is " + present + ", not 0 or 1");
            }
            expected = present == 1 ? in.value("expected") : null;
        }
        if (op == WireOp.PUT || op == WireOp.CAS) {
            value = in.value("value");
        }
        in.expectEnd(id);
        return new WireRequest(op, id, clientId, sequence, key, expected, value);
    }

    /** The id of a request frame too large or too broken to read, when its first bytes hold one. */
    public static OptionalInt requestId(Buffer frame, int start, int available) {
        return available >= 5 ? OptionalInt.of(frame.getInt(start + 1)) : OptionalInt.empty();
    }

    /** Appends {@code r} as one frame. */
    public static void write(WireResponse r, Buffer out) {
        int lengthAt = out.length();
        out.appendInt(0);
        out.appendInt(r.id()).appendUnsignedShort(r.status());
        if (r.isError()) {
            out.appendByte((byte) ERROR).appendBytes(r.errorJson());
        } else {
            out.appendByte((byte) RESULT).appendByte((byte) r.flags())
                    .appendLong(r.version()).appendLong(r.createIndex()).appendLong(r.modIndex()).appendLong(r.index());
            out.appendByte((byte) (r.value() == null ? 0 : 1));
            if (r.value() != null) {
                appendValue(out, r.value());
            }
        }
        out.setInt(lengthAt, out.length() - lengthAt - LENGTH_BYTES);
    }

    public static WireResponse readResponse(Buffer frame, int start, int end) throws MalformedFrameException {
        Reader in = new Reader(frame, start, end);
        int id = in.i32("id");
        int status = in.u16("status");
        int kind = in.u8("kind");
        if (kind == ERROR) {
            byte[] json = new byte[end - in.position];
            frame.getBytes(in.position, end, json);
            return WireResponse.error(id, status, json);
        }
        if (kind != RESULT) {
            throw new MalformedFrameException("bad-frame", "answer " + id + " is of unknown kind " + kind);
        }
        int flags = in.u8("flags");
        long version = in.i64("version");
        long createIndex = in.i64("create index");
        long modIndex = in.i64("mod index");
        long index = in.i64("index");
        int present = in.u8("value flag");
        KvValue value = present == 1 ? in.value("value") : null;
        in.expectEnd(id);
        return new WireResponse(id, status, flags, version, createIndex, modIndex, index, value, null);
    }

    private static void appendValue(Buffer out, KvValue value) {
        out.appendInt(value.length());
        byte[] bytes = value.bytesUnsafe();
        out.appendBytes(bytes);
    }

    /** Reads fields of one frame, never past its end. */
    private static final class Reader {
        private final Buffer buffer;
        private final int end;
        private int position;

        Reader(Buffer buffer, int start, int end) {
            this.buffer = buffer;
            this.position = start;
            this.end = end;
        }

        private void need(int bytes, String what) throws MalformedFrameException {
            if (end - position < bytes) {
                throw new MalformedFrameException("bad-frame", "truncated frame: " + what + " needs " + bytes + " bytes, "
                        + (end - position) + " left");
            }
        }

        int u8(String what) throws MalformedFrameException {
            need(1, what);
            return buffer.getUnsignedByte(position++);
        }

        int u16(String what) throws MalformedFrameException {
            need(2, what);
            int v = buffer.getUnsignedShort(position);
            position += 2;
            return v;
        }

        int i32(String what) throws MalformedFrameException {
            need(4, what);
            int v = buffer.getInt(position);
            position += 4;
            return v;
        }

        long i64(String what) throws MalformedFrameException {
            need(8, what);
            long v = buffer.getLong(position);
            position += 8;
            return v;
        }

        KvValue value(String what) throws MalformedFrameException {
            int length = i32(what + " length");
            if (length < 0) {
                throw new MalformedFrameException("bad-frame", what + " length " + length + " is negative");
            }
            need(length, what);
            byte[] bytes = new byte[length];
            buffer.getBytes(position, position + length, bytes);
            position += length;
            return KvValue.ofOwned(bytes);
        }

        /** Strict UTF-8: a byte sequence that is not UTF-8 is refused, never replaced (two keys would collide). */
        String utf8(int length, String what, int id) throws MalformedFrameException {
            need(length, what);
            byte[] bytes = new byte[length];
            buffer.getBytes(position, position + length, bytes);
            position += length;
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.indexOf('\uFFFD') < 0) {
                return text;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedFrameException("invalid-key", "request " + id + ": the " + what + " is not valid UTF-8");
            }
        }

        void expectEnd(int id) throws MalformedFrameException {
            if (position != end) {
                throw new MalformedFrameException("bad-frame", "frame " + id + " has " + (end - position) + " bytes after its fields");
            }
        }
    }
}
