package io.raftkit.kv;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The binary form of a transaction and its result, in {@link KvCodec}'s manner (and through its
 * helpers): lengths before bytes, every malformation an {@link IllegalArgumentException} naming the
 * field. A transaction in the log:
 * <pre>
 *   5 stamp(24) guardCount:i32 { kind:u8 key [value] | kind=VERSION: key version:i64 }*
 *               opCount:i32    { kind:u8 key [value for PUT and APPEND] }*
 * </pre>
 * Kinds are the enums' ordinals, which are part of the log format: add new kinds at the end only.
 * A result: {@code 33 status:u8 origin:u8 failedAt:i32 (-1: none) index:i64 count:i32 {length:i32
 * KvCodec result}*}; results are not logged, so their layout may change freely.
 */
public final class KvTxnCodec {

    static final byte TXN_RESULT = 33;
    private static final int NO_POSITION = -1;

    private KvTxnCodec() {
    }

    static byte[] encode(KvCommand.Txn txn) {
        List<byte[]> keys = new ArrayList<>();
        int size = 1 + KvCodec.STAMP_BYTES + 4 + 4;
        for (KvTxn.Guard g : txn.guards()) {
            byte[] key = KvCodec.utf8(g.key(), "guard key");
            keys.add(key);
            size += 1 + 4 + key.length + g.value().map(v -> 4 + v.length()).orElse(0) + (g.kind() == KvTxn.GuardKind.VERSION ? 8 : 0);
        }
        for (KvTxn.Op o : txn.ops()) {
            byte[] key = KvCodec.utf8(o.key(), "operation key");
            keys.add(key);
            size += 1 + 4 + key.length + o.value().map(v -> 4 + v.length()).orElse(0);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(KvCodec.TXN);
        KvCodec.putStamp(b, txn.stamp());
        int k = 0;
        b.putInt(txn.guards().size());
        for (KvTxn.Guard g : txn.guards()) {
            b.put((byte) g.kind().ordinal());
            KvCodec.putBytes(b, keys.get(k++));
            g.value().ifPresent(v -> KvCodec.putValue(b, v));
            if (g.kind() == KvTxn.GuardKind.VERSION) {
                b.putLong(g.version());
            }
        }
        b.putInt(txn.ops().size());
        for (KvTxn.Op o : txn.ops()) {
            b.put((byte) o.kind().ordinal());
            KvCodec.putBytes(b, keys.get(k++));
            o.value().ifPresent(v -> KvCodec.putValue(b, v));
        }
        return b.array();
    }

    /** The rest of a transaction command after its type byte and stamp; the caller checks nothing is left. */
    static KvCommand.Txn decode(ByteBuffer b, SessionStamp stamp) {
        int guardCount = count(b, "guard", KvTxn.MAX_GUARDS);
        List<KvTxn.Guard> guards = new ArrayList<>(guardCount);
        for (int i = 0; i < guardCount; i++) {
            KvTxn.GuardKind kind = kind(b, KvTxn.GuardKind.values(), "guard " + i);
            String key = KvCodec.getString(b, "guard " + i + " key");
            Optional<KvValue> value = kind == KvTxn.GuardKind.VALUE ? Optional.of(KvCodec.getValue(b, "guard " + i + " value"))
                    : Optional.empty();
            long version = kind == KvTxn.GuardKind.VERSION ? b.getLong() : 0;
            if (version < 0) {
                throw new IllegalArgumentException("malformed KV command: guard " + i + " compares version " + version);
            }
            guards.add(new KvTxn.Guard(kind, key, value, version));
        }
        int opCount = count(b, "operation", KvTxn.MAX_OPS);
        List<KvTxn.Op> ops = new ArrayList<>(opCount);
        for (int i = 0; i < opCount; i++) {
            KvTxn.OpKind kind = kind(b, KvTxn.OpKind.values(), "operation " + i);
            String key = KvCodec.getString(b, "operation " + i + " key");
            boolean hasValue = kind == KvTxn.OpKind.PUT || kind == KvTxn.OpKind.APPEND;
            ops.add(new KvTxn.Op(kind, key, hasValue ? Optional.of(KvCodec.getValue(b, "operation " + i + " value")) : Optional.empty()));
        }
        return new KvCommand.Txn(stamp, guards, ops);
    }

    private static int count(ByteBuffer b, String what, int max) {
        int count = b.getInt();
        if (count < 0 || count > max) {
            throw new IllegalArgumentException("malformed KV bytes: " + count + " " + what + "s at byte " + (b.position() - 4)
                    + " (a transaction has 0 to " + max + ")");
        }
        return count;
    }

    private static <E extends Enum<E>> E kind(ByteBuffer b, E[] kinds, String what) {
        int kind = b.get();
        if (kind < 0 || kind >= kinds.length) {
            throw new IllegalArgumentException("malformed KV bytes: " + what + " has unknown kind " + kind + " at byte "
                    + (b.position() - 1));
        }
        return kinds[kind];
    }

    public static byte[] encode(KvTxnResult r) {
        List<byte[]> results = new ArrayList<>(r.results().size());
        int size = 1 + 1 + 1 + 4 + 8 + 4;
        for (KvResult result : r.results()) {
            byte[] encoded = KvCodec.encode(result);
            results.add(encoded);
            size += 4 + encoded.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(TXN_RESULT).put((byte) r.status().ordinal()).put((byte) r.origin().ordinal());
        b.putInt(r.failedAt().orElse(NO_POSITION)).putLong(r.index()).putInt(results.size());
        results.forEach(bytes -> KvCodec.putBytes(b, bytes));
        return b.array();
    }

    /**
     * A transaction's answer from the log. A command no node could decode is answered with a plain
     * {@link KvCodec} result (MALFORMED), which is read here as a refused transaction.
     */
    public static KvTxnResult decodeResult(byte[] bytes) {
        if (bytes.length > 0 && bytes[0] == KvCodec.RESULT) {
            KvResult plain = KvCodec.decodeResult(bytes);
            return KvTxnResult.refused(plain.status(), plain.index());
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte type = b.get();
            if (type != TXN_RESULT) {
                throw new IllegalArgumentException("malformed KV transaction result: unknown type byte " + type);
            }
            KvResult.Status status = kind(b, KvResult.Status.values(), "the status");
            KvResult.Origin origin = kind(b, KvResult.Origin.values(), "the origin");
            int failedAt = b.getInt();
            if (failedAt < NO_POSITION) {
                throw new IllegalArgumentException("malformed KV transaction result: failed position " + failedAt);
            }
            long index = b.getLong();
            int count = count(b, "result", KvTxn.MAX_OPS);
            List<KvResult> results = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = b.getInt();
                if (length < 0 || length > b.remaining()) {
                    throw new IllegalArgumentException("malformed KV transaction result: result " + i + " length " + length
                            + " exceeds the " + b.remaining() + " bytes left");
                }
                byte[] one = new byte[length];
                b.get(one);
                results.add(KvCodec.decodeResult(one));
            }
            KvCodec.requireConsumed(b, "transaction result");
            return new KvTxnResult(status, failedAt == NO_POSITION ? OptionalInt.empty() : OptionalInt.of(failedAt), results, index,
                    origin);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("malformed KV transaction result: truncated at byte " + b.position() + " of "
                    + bytes.length);
        }
    }
}
