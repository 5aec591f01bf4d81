package io.raftkit.kv;

import io.raftkit.api.snapshot.InvalidSnapshotException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The KV state as snapshot records ({@link io.raftkit.api.SnapshotKind#RECORDS}). A record key's
 * first byte says what it holds, and the prefixes sort the parts apart in the order restore wants
 * them (keys arrive in unsigned byte order):
 *
 * <pre>
 * 0x00                      meta: format:i32 (3) lastAppliedIndex:i64 hasPolicy:u8 [ttlMillis:i64 capacity:i32]
 *                                 clockNowMillis:i64 clockLastLeaderMillis:i64 clockStarted:u8
 * 0x01 clientId^2^63:i64    session: lastSequence:i64 lastIndex:i64 lastSeenMillis:i64 digest:16 bytes
 *                                    status:u8 version:i64 createIndex:i64 modIndex:i64 index:i64
 * 0x02 key (UTF-8)          data: version:i64 createIndex:i64 modIndex:i64 value (the rest)
 * </pre>
 * Big-endian. The client id's sign bit is flipped so unsigned byte order is numeric order; UTF-8
 * keys in byte order are code point order, and the live map is keyed by these record keys
 * themselves ({@code KvStateMachine}). The meta record comes first, so a reader knows the format
 * before anything else. Everything {@code apply} depends on is here: the data with its versions
 * and indexes, the sessions, the session policy and the log clock; the expiry order is derived.
 *
 * <p>Decoding checks every record and throws {@link InvalidSnapshotException} naming the record
 * and what is wrong: an unknown prefix, a value of the wrong length, a status or policy out of range.
 */
public final class KvSnapshotRecords {

    /** The format of the records; 1 and 2 were the one-stream snapshots before the record form. */
    static final int FORMAT = 3;
    static final byte META = 0x00;
    static final byte SESSION = 0x01;
    static final byte DATA = 0x02;
    private static final int META_BYTES_WITHOUT_POLICY = 4 + 8 + 1 + 8 + 8 + 1;
    private static final int POLICY_BYTES = 8 + 4;
    private static final int SESSION_KEY_BYTES = 1 + 8;
    static final int SESSION_VALUE_BYTES = 8 + 8 + 8 + KvCodec.DIGEST_BYTES + 1 + 4 * 8;
    public static final int DATA_HEADER_BYTES = KvEntry.HEADER_BYTES;

    /** What a record holds, from its key's first byte. */
    public enum Part {
        META, SESSION, DATA
    }

    /** The state machine's own fields a snapshot carries besides data and sessions. */
    record Meta(long lastAppliedIndex, Optional<SessionPolicy> policy, LogClock.State clock) {
    }

    private KvSnapshotRecords() {
    }

    /** The part a record belongs to, or an {@link InvalidSnapshotException} for an unknown prefix. */
    public static Part partOf(byte[] key) throws InvalidSnapshotException {
        if (key.length == 0) {
            throw invalid(key, "an empty key (every KV record key starts with its part's prefix)");
        }
        if (key[0] == META && key.length == 1) {
            return Part.META;
        } else if (key[0] == SESSION) {
            return Part.SESSION;
        } else if (key[0] == DATA) {
            return Part.DATA;
        }
        throw invalid(key, "unknown prefix 0x" + String.format("%02x", key[0] & 0xff)
                + " (known: 0x00 meta, a 1-byte key; 0x01 session; 0x02 data)");
    }

    static byte[] metaKey() {
        return new byte[] {META};
    }

    static byte[] metaValue(Meta meta) {
        ByteBuffer b = ByteBuffer.allocate(META_BYTES_WITHOUT_POLICY + (meta.policy().isPresent() ? POLICY_BYTES : 0));
        b.putInt(FORMAT).putLong(meta.lastAppliedIndex()).put((byte) (meta.policy().isPresent() ? 1 : 0));
        meta.policy().ifPresent(p -> b.putLong(p.ttlMillis()).putInt(p.capacity()));
        b.putLong(meta.clock().nowMillis()).putLong(meta.clock().lastLeaderMillis()).put((byte) (meta.clock().started() ? 1 : 0));
        return b.array();
    }

    static Meta decodeMeta(byte[] key, byte[] value) throws InvalidSnapshotException {
        if (value.length < 4) {
            throw invalid(key, "a meta value of " + value.length + " bytes (truncated: the format alone takes 4)");
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        int format = b.getInt();
        if (format != FORMAT) {
            throw invalid(key, "KV snapshot format " + format + "; this build reads format " + FORMAT);
        }
        if (value.length != META_BYTES_WITHOUT_POLICY && value.length != META_BYTES_WITHOUT_POLICY + POLICY_BYTES) {
            throw invalid(key, "a meta value of " + value.length + " bytes, not " + META_BYTES_WITHOUT_POLICY + " or "
                    + (META_BYTES_WITHOUT_POLICY + POLICY_BYTES) + " (truncated or padded)");
        }
        long lastApplied = b.getLong();
        boolean hasPolicy = flag(key, b.get(), "hasPolicy");
        if (hasPolicy != (value.length > META_BYTES_WITHOUT_POLICY)) {
            throw invalid(key, "a meta value of " + value.length + " bytes that " + (hasPolicy ? "says it has" : "says it has no")
                    + " session policy");
        }
        Optional<SessionPolicy> policy = Optional.empty();
        if (hasPolicy) {
            long ttl = b.getLong();
            int capacity = b.getInt();
            try {
                policy = Optional.of(new SessionPolicy(ttl, capacity));
            } catch (IllegalArgumentException e) {
                throw invalid(key, e.getMessage());
            }
        }
        if (lastApplied < 0) {
            throw invalid(key, "a last applied index of " + lastApplied);
        }
        LogClock.State clock = new LogClock.State(b.getLong(), b.getLong(), flag(key, b.get(), "clockStarted"));
        return new Meta(lastApplied, policy, clock);
    }

    static byte[] sessionKey(long clientId) {
        return ByteBuffer.allocate(SESSION_KEY_BYTES).put(SESSION).putLong(clientId ^ Long.MIN_VALUE).array();
    }

    static byte[] sessionValue(Sessions.Session s) {
        Sessions.Outcome o = s.outcome();
        return ByteBuffer.allocate(SESSION_VALUE_BYTES).putLong(s.lastSequence()).putLong(s.lastIndex()).putLong(s.lastSeenMillis())
                .put(s.digest()).put((byte) o.status().ordinal())
                .putLong(o.version()).putLong(o.createIndex()).putLong(o.modIndex()).putLong(o.index()).array();
    }

    static Sessions.Session decodeSession(byte[] key, byte[] value) throws InvalidSnapshotException {
        if (key.length != SESSION_KEY_BYTES) {
            throw invalid(key, "a session key of " + key.length + " bytes, not " + SESSION_KEY_BYTES);
        }
        if (value.length != SESSION_VALUE_BYTES) {
            throw invalid(key, "a session value of " + value.length + " bytes, not " + SESSION_VALUE_BYTES
                    + (value.length < SESSION_VALUE_BYTES ? " (truncated)" : ""));
        }
        long clientId = ByteBuffer.wrap(key, 1, 8).getLong() ^ Long.MIN_VALUE;
        if (clientId == SessionStamp.NO_SESSION) {
            throw invalid(key, "a session of client id 0, which stands for no session");
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        long sequence = b.getLong();
        long lastIndex = b.getLong();
        long lastSeen = b.getLong();
        byte[] digest = new byte[KvCodec.DIGEST_BYTES];
        b.get(digest);
        int status = b.get() & 0xff;
        KvResult.Status[] statuses = KvResult.Status.values();
        if (status >= statuses.length) {
            throw invalid(key, "session outcome status " + status + " (known: 0.." + (statuses.length - 1) + ")");
        }
        Sessions.Outcome outcome = new Sessions.Outcome(statuses[status], b.getLong(), b.getLong(), b.getLong(), b.getLong());
        return new Sessions.Session(clientId, sequence, lastIndex, lastSeen, digest, outcome);
    }

    /**
     * The data record key of {@code key}, which must be valid Unicode (every applied key is). Also
     * the key the state machine looks a command's key up by, once per command: an ASCII key is
     * written straight into the record key, without the intermediate UTF-8 array.
     */
    static byte[] dataKey(String key) {
        int n = key.length();
        byte[] ascii = new byte[n + 1];
        ascii[0] = DATA;
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (c >= 0x80) {
                return nonAsciiDataKey(key);
            }
            ascii[i + 1] = (byte) c;
        }
        return ascii;
    }

    private static byte[] nonAsciiDataKey(String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[utf8.length + 1];
        k[0] = DATA;
        System.arraycopy(utf8, 0, k, 1, utf8.length);
        return k;
    }

    /** The entry's data record value: the entry's own array, which the caller only reads ({@link KvEntry}). */
    static byte[] dataValue(KvEntry entry) {
        return entry.recordUnsafe();
    }

    /**
     * Checks that a data key's bytes after the prefix are UTF-8 without decoding them when they are
     * ASCII (the common case, and a restore keeps the bytes, not the text).
     */
    static void checkDataKey(byte[] key) throws InvalidSnapshotException {
        for (int i = 1; i < key.length; i++) {
            if (key[i] < 0) {
                decodeDataKey(key);
                return;
            }
        }
    }

    /** The data key's text; the key's bytes must be UTF-8 (what {@link #dataKey} writes). */
    static String decodeDataKey(byte[] key) throws InvalidSnapshotException {
        // The String constructor is the fast path but replaces malformed bytes with U+FFFD: only
        // then is a strict decoder asked, so a real U+FFFD is kept and bad bytes are refused.
        String text = new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key, 1, key.length - 1)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw invalid(key, "a data key that is not UTF-8");
        }
    }

    /**
     * Checks a data record's value and returns it as it is: it is already the form the state machine
     * keeps a key's entry in ({@link KvEntry}), so a restore copies nothing.
     */
    static byte[] checkData(byte[] key, byte[] value) throws InvalidSnapshotException {
        if (value.length < DATA_HEADER_BYTES) {
            throw invalid(key, "a data value of " + value.length + " bytes (truncated: version and indexes take "
                    + DATA_HEADER_BYTES + ")");
        }
        KvEntry entry = KvEntry.ofRecord(value);
        long version = entry.version();
        long createIndex = entry.createIndex();
        long modIndex = entry.modIndex();
        if (version < 1 || createIndex < 1 || modIndex < createIndex) {
            throw invalid(key, "version " + version + ", createIndex " + createIndex + ", modIndex " + modIndex
                    + " (a stored key has version >= 1 and 1 <= createIndex <= modIndex)");
        }
        return value;
    }

    private static boolean flag(byte[] key, byte b, String name) throws InvalidSnapshotException {
        if (b != 0 && b != 1) {
            throw invalid(key, name + " byte " + (b & 0xff) + " is neither 0 nor 1");
        }
        return b == 1;
    }

    static InvalidSnapshotException invalid(byte[] key, String problem) {
        return new InvalidSnapshotException("KV snapshot record " + describe(key) + ": " + problem);
    }

    private static String describe(byte[] key) {
        StringBuilder s = new StringBuilder("0x");
        for (int i = 0; i < Math.min(key.length, 24); i++) {
            s.append(String.format("%02x", key[i] & 0xff));
        }
        return key.length > 24 ? s + "...(" + key.length + " bytes)" : s.toString();
    }
}
