package io.raftkit.kv;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * The compact binary form of commands, queries and results: a type byte, fixed-width longs, keys
 * as a 4-byte length and UTF-8 bytes, and values as a 4-byte length and their bytes (any bytes:
 * values written through the JSON API are UTF-8 text, those written through the binary client
 * protocol need not be). A put of a 10-byte key and a 100-byte value costs
 * 143 bytes in the log where JSON would cost about twice that.
 *
 * <p>Decoding never trusts its input: every malformation is an {@link IllegalArgumentException}
 * that says what was wrong and where. Encoding refuses strings that are not valid Unicode (a lone
 * surrogate would otherwise become '?' and two different values would collide).
 *
 * <p>Type bytes 1 to 3 have not changed since the first release, so old logs replay; type 4 (the
 * session policy) came with bounded sessions, and a node without it answers such an entry MALFORMED
 * (no state change) rather than stopping; type 5 (the transaction) likewise.
 */
public final class KvCodec {

    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final byte CAS = 3;
    private static final byte SET_SESSION_POLICY = 4;
    /** A transaction ({@link KvTxnCodec}); nodes before it answer such an entry MALFORMED, as for type 4. */
    static final byte TXN = 5;
    private static final byte GET = 16;
    static final byte RESULT = 32;
    static final int STAMP_BYTES = 24;
    /** 128 bits of SHA-256: a retry with a different command is told apart with certainty in practice. */
    static final int DIGEST_BYTES = 16;

    private KvCodec() {
    }

    public static byte[] encode(KvCommand command) {
        if (command instanceof KvCommand.SetSessionPolicy set) {
            ByteBuffer b = ByteBuffer.allocate(1 + STAMP_BYTES + 8 + 4);
            b.put(SET_SESSION_POLICY);
            putStamp(b, set.stamp());
            b.putLong(set.policy().ttlMillis()).putInt(set.policy().capacity());
            return b.array();
        }
        if (command instanceof KvCommand.Txn txn) {
            return KvTxnCodec.encode(txn);
        }
        byte[] key = utf8(((KvCommand.Keyed) command).key(), "key");
        if (command instanceof KvCommand.Put put) {
            KvValue value = put.value();
            ByteBuffer b = ByteBuffer.allocate(1 + STAMP_BYTES + 8 + key.length + value.length());
            b.put(PUT);
            putStamp(b, put.stamp());
            putBytes(b, key);
            putValue(b, value);
            return b.array();
        } else if (command instanceof KvCommand.Delete delete) {
            ByteBuffer b = ByteBuffer.allocate(1 + STAMP_BYTES + 4 + key.length);
            b.put(DELETE);
            putStamp(b, delete.stamp());
            putBytes(b, key);
            return b.array();
        } else if (command instanceof KvCommand.Cas cas) {
            KvValue expected = cas.expected().orElse(null);
            KvValue value = cas.value();
            ByteBuffer b = ByteBuffer.allocate(1 + STAMP_BYTES + 4 + key.length + 1
                    + (expected == null ? 0 : 4 + expected.length()) + 4 + value.length());
            b.put(CAS);
            putStamp(b, cas.stamp());
            putBytes(b, key);
            b.put((byte) (expected == null ? 0 : 1));
            if (expected != null) {
                putValue(b, expected);
            }
            putValue(b, value);
            return b.array();
        }
        throw new AssertionError("unhandled " + command);
    }

    public static KvCommand decodeCommand(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte type = b.get();
            SessionStamp stamp = new SessionStamp(b.getLong(), b.getLong(), b.getLong());
            if (type == SET_SESSION_POLICY) {
                long ttlMillis = b.getLong();
                int capacity = b.getInt();
                requireConsumed(b, "command");
                try {
                    return new KvCommand.SetSessionPolicy(stamp, new SessionPolicy(ttlMillis, capacity));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("malformed KV command: " + e.getMessage());
                }
            }
            if (type == TXN) {
                KvCommand txn = KvTxnCodec.decode(b, stamp);
                requireConsumed(b, "command");
                return txn;
            }
            String key = getString(b, "key");
            KvCommand command;
            if (type == PUT) {
                command = new KvCommand.Put(stamp, key, getValue(b, "value"));
            } else if (type == DELETE) {
                command = new KvCommand.Delete(stamp, key);
            } else if (type == CAS) {
                byte hasExpected = b.get();
                if (hasExpected != 0 && hasExpected != 1) {
                    throw new IllegalArgumentException("malformed KV command: expected-flag byte is " + hasExpected + ", not 0 or 1");
                }
                Optional<KvValue> expected = hasExpected == 1 ? Optional.of(getValue(b, "expected")) : Optional.empty();
                command = new KvCommand.Cas(stamp, key, expected, getValue(b, "value"));
            } else {
                throw new IllegalArgumentException("malformed KV command: unknown type byte " + type);
            }
            requireConsumed(b, "command");
            return command;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("malformed KV command: truncated at byte " + b.position() + " of " + bytes.length);
        }
    }

    /**
     * What identifies a keyed command for exactly-once checks: a digest of everything but its stamp
     * (the client id and sequence are the session's, and a retry carries a newer leader timestamp).
     * {@code sha256} is the caller's, reused: this runs for every applied command with a session.
     */
    static byte[] digest(MessageDigest sha256, byte[] command) {
        sha256.update(command, 0, 1);
        sha256.update(command, 1 + STAMP_BYTES, command.length - 1 - STAMP_BYTES);
        return Arrays.copyOf(sha256.digest(), DIGEST_BYTES);
    }

    /** A read of one key; reads are not logged, so they carry no session. */
    public static byte[] encodeGet(String key) {
        byte[] k = utf8(key, "key");
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + k.length);
        b.put(GET);
        putBytes(b, k);
        return b.array();
    }

    public static String decodeGet(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte type = b.get();
            if (type != GET) {
                throw new IllegalArgumentException("malformed KV query: unknown type byte " + type);
            }
            String key = getString(b, "key");
            requireConsumed(b, "query");
            return key;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("malformed KV query: truncated at byte " + b.position() + " of " + bytes.length);
        }
    }

    /** Results are not logged (they go to the proposer's future), so their layout may change freely. */
    public static byte[] encode(KvResult r) {
        byte[] key = utf8(r.key(), "key");
        KvValue value = r.value().orElse(null);
        ByteBuffer b = ByteBuffer.allocate(3 + 4 + key.length + 1 + (value == null ? 0 : 4 + value.length()) + 32);
        b.put(RESULT);
        b.put((byte) r.status().ordinal());
        b.put((byte) r.origin().ordinal());
        putBytes(b, key);
        b.put((byte) (value == null ? 0 : 1));
        if (value != null) {
            putValue(b, value);
        }
        b.putLong(r.version()).putLong(r.createIndex()).putLong(r.modIndex()).putLong(r.index());
        return b.array();
    }

    public static KvResult decodeResult(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte type = b.get();
            if (type != RESULT) {
                throw new IllegalArgumentException("malformed KV result: unknown type byte " + type);
            }
            int status = b.get();
            KvResult.Status[] statuses = KvResult.Status.values();
            if (status < 0 || status >= statuses.length) {
                throw new IllegalArgumentException("malformed KV result: unknown status " + status);
            }
            int origin = b.get();
            KvResult.Origin[] origins = KvResult.Origin.values();
            if (origin < 0 || origin >= origins.length) {
                throw new IllegalArgumentException("malformed KV result: unknown origin " + origin);
            }
            String key = getString(b, "key");
            Optional<KvValue> value = b.get() == 1 ? Optional.of(getValue(b, "value")) : Optional.empty();
            KvResult result = new KvResult(statuses[status], key, value, b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                    origins[origin]);
            requireConsumed(b, "result");
            return result;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("malformed KV result: truncated at byte " + b.position() + " of " + bytes.length);
        }
    }

    static void putStamp(ByteBuffer b, SessionStamp s) {
        b.putLong(s.clientId()).putLong(s.sequence()).putLong(s.leaderMillis());
    }

    static void putBytes(ByteBuffer b, byte[] bytes) {
        b.putInt(bytes.length).put(bytes);
    }

    static void putValue(ByteBuffer b, KvValue value) {
        b.putInt(value.length());
        value.writeTo(b);
    }

    /** A value's bytes, copied out of the command: values are bytes, not text, and are not decoded. */
    static KvValue getValue(ByteBuffer b, String field) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("malformed KV bytes: " + field + " length " + length
                    + " at byte " + (b.position() - 4) + " exceeds the " + b.remaining() + " bytes left");
        }
        byte[] value = new byte[length];
        b.get(value);
        return KvValue.ofOwned(value);
    }

    static String getString(ByteBuffer b, String field) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("malformed KV bytes: " + field + " length " + length
                    + " at byte " + (b.position() - 4) + " exceeds the " + b.remaining() + " bytes left");
        }
        int start = b.position();
        b.position(start + length);
        // The String constructor is the fast path (no decoder or CharBuffer per call: this runs for
        // every applied command on every node), but it replaces malformed input with U+FFFD. Only
        // then is the strict decoder asked, so a real U+FFFD still decodes and bad bytes are refused.
        String text = b.hasArray() ? new String(b.array(), b.arrayOffset() + start, length, StandardCharsets.UTF_8) : null;
        if (text != null && text.indexOf('\uFFFD') < 0) {
            return text;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(b.slice(start, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("malformed KV bytes: " + field + " is not valid UTF-8");
        }
    }

    static void requireConsumed(ByteBuffer b, String what) {
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("malformed KV " + what + ": " + b.remaining() + " trailing bytes");
        }
    }

    static byte[] utf8(String s, String field) {
        int lone = Unicode.loneSurrogateAt(s);
        if (lone >= 0) {
            throw new IllegalArgumentException(field + " is not valid Unicode: a lone surrogate at char " + lone);
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
