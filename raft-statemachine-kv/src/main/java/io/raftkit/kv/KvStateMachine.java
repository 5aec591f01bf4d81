package io.raftkit.kv;

import io.raftkit.api.spi.StateMachine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated key-value map. Deterministic by construction: a sorted map, no clock but the
 * leader timestamps inside commands, no randomness. Called from the node's one apply thread; the
 * few figures other threads read ({@link #heapBytes}, {@link #sessionCount}, {@link #sessionPolicy})
 * are published after each command.
 */
public final class KvStateMachine implements StateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
    /** The TTL for logs written before session policies were replicated (then node configuration). */
    public static final long DEFAULT_SESSION_TTL_MILLIS = SessionPolicy.DEFAULT_TTL_MILLIS;
    /** 2: sessions keep a digest and an outcome, and the policy and clock travel with them. */
    private static final int SNAPSHOT_FORMAT = 2;
    /**
     * A map entry beyond its characters: the tree entry, the KvEntry, two String objects and their
     * array headers. Measured 170 bytes (200,000 entries, heap after GC, JDK 17), rounded up.
     */
    private static final long ENTRY_HEAP_BYTES = 176;

    private final TreeMap<String, KvEntry> entries = new TreeMap<>();
    private final Sessions sessions;
    private final MessageDigest sha256;
    private long lastAppliedIndex;
    /** Heap the keys and values take, estimated (apply thread). */
    private long entriesHeapBytes;
    private volatile long publishedHeapBytes;
    private volatile int publishedSessions;
    private volatile SessionPolicy publishedPolicy;

    public KvStateMachine() {
        this(DEFAULT_SESSION_TTL_MILLIS);
    }

    /**
     * @param legacySessionTtlMillis the session TTL for log entries before the first
     *                               {@link KvCommand.SetSessionPolicy}, which is what logs written
     *                               before policies existed were applied with; later entries follow
     *                               the replicated policy
     */
    public KvStateMachine(long legacySessionTtlMillis) {
        this.sessions = new Sessions(legacySessionTtlMillis);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public byte[] apply(long index, byte[] commandBytes) {
        lastAppliedIndex = index;
        KvCommand command;
        try {
            command = KvCodec.decodeCommand(commandBytes);
        } catch (IllegalArgumentException e) {
            // Every replica sees the same bytes and answers the same: no divergence, no stop.
            LOG.warn("log index {} holds no KV command: {}", index, e.getMessage());
            return KvCodec.encode(KvResult.absent(KvResult.Status.MALFORMED, "", index));
        }
        sessions.advance(command.stamp());
        KvResult result;
        if (command instanceof KvCommand.SetSessionPolicy set) {
            sessions.setPolicy(set.policy());
            result = KvResult.absent(KvResult.Status.OK, "", index);
        } else if (command instanceof KvCommand.Keyed keyed) {
            result = applyKeyed(index, keyed, commandBytes);
        } else {
            throw new AssertionError("unhandled " + command);
        }
        publish();
        return KvCodec.encode(result);
    }

    private KvResult applyKeyed(long index, KvCommand.Keyed command, byte[] commandBytes) {
        byte[] digest = command.stamp().hasSession() ? KvCodec.digest(sha256, commandBytes) : null;
        Sessions.Verdict verdict = sessions.check(index, command.stamp(), digest);
        if (verdict instanceof Sessions.Apply) {
            KvResult result = execute(index, command);
            sessions.record(index, command.stamp(), digest, result);
            return result;
        } else if (verdict instanceof Sessions.Duplicate duplicate) {
            return replay(command, duplicate.session().outcome());
        } else if (verdict instanceof Sessions.Reused reused) {
            Sessions.Outcome first = reused.session().outcome();
            return new KvResult(KvResult.Status.SEQUENCE_REUSED, command.key(), Optional.empty(), first.version(),
                    first.createIndex(), first.modIndex(), first.index());
        } else if (verdict instanceof Sessions.Stale) {
            return KvResult.absent(KvResult.Status.STALE_SEQUENCE, command.key(), index);
        } else if (verdict instanceof Sessions.Expired) {
            return KvResult.absent(KvResult.Status.SESSION_EXPIRED, command.key(), index);
        }
        throw new AssertionError("unhandled " + verdict);
    }

    private KvResult execute(long index, KvCommand.Keyed command) {
        String key = command.key();
        KvEntry current = entries.get(key);
        if (command instanceof KvCommand.Put put) {
            return KvResult.of(KvResult.Status.OK, key, write(key, current, put.value(), index), index);
        } else if (command instanceof KvCommand.Delete) {
            if (current == null) {
                return KvResult.absent(KvResult.Status.NOT_FOUND, key, index);
            }
            entries.remove(key);
            entriesHeapBytes -= entryHeapBytes(key, current.value());
            return new KvResult(KvResult.Status.OK, key, Optional.empty(), current.version(), current.createIndex(), index, index);
        } else if (command instanceof KvCommand.Cas cas) {
            boolean holds = cas.expected().isEmpty() ? current == null
                    : current != null && current.value().equals(cas.expected().get());
            if (!holds) {
                return current == null ? KvResult.absent(KvResult.Status.CAS_FAILED, key, index)
                        : KvResult.of(KvResult.Status.CAS_FAILED, key, current, index);
            }
            return KvResult.of(KvResult.Status.OK, key, write(key, current, cas.value(), index), index);
        }
        throw new AssertionError("unhandled " + command);
    }

    /**
     * The first answer again, from the retried command and its session's outcome. The digest matched,
     * so the retry carries the value that was written: a put's or successful CAS's answer is exact, a
     * delete's has no value. Only a failed CAS answered with a value the command does not carry (the
     * one it found); that is still the key's value if the key was not written since, and otherwise
     * no longer known, which the answer says rather than guess.
     */
    private KvResult replay(KvCommand.Keyed command, Sessions.Outcome first) {
        String key = command.key();
        Optional<KvValue> value = Optional.empty();
        KvResult.Origin origin = KvResult.Origin.DUPLICATE;
        if (first.status() == KvResult.Status.OK && command instanceof KvCommand.Put put) {
            value = Optional.of(put.value());
        } else if (first.status() == KvResult.Status.OK && command instanceof KvCommand.Cas cas) {
            value = Optional.of(cas.value());
        } else if (first.status() == KvResult.Status.CAS_FAILED && first.version() > 0) {
            KvEntry now = entries.get(key);
            if (now != null && now.createIndex() == first.createIndex() && now.modIndex() == first.modIndex()) {
                value = Optional.of(now.value());
            } else {
                origin = KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN;
            }
        }
        return new KvResult(first.status(), key, value, first.version(), first.createIndex(), first.modIndex(), first.index(), origin);
    }

    private KvEntry write(String key, KvEntry current, KvValue value, long index) {
        KvEntry next;
        if (current == null) {
            next = KvEntry.created(value, index);
        } else {
            next = current.overwrite(value, index);
            entriesHeapBytes -= entryHeapBytes(key, current.value());
        }
        entries.put(key, next);
        entriesHeapBytes += entryHeapBytes(key, value);
        return next;
    }

    private static long entryHeapBytes(String key, KvValue value) {
        return ENTRY_HEAP_BYTES + charsHeapBytes(key) + value.length();
    }

    /** A String's characters take one byte each when all are Latin-1 (compact strings), else two. */
    private static long charsHeapBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return 2L * s.length();
            }
        }
        return s.length();
    }

    private void publish() {
        publishedSessions = sessions.size();
        publishedHeapBytes = entriesHeapBytes + sessions.size() * Sessions.SESSION_HEAP_BYTES;
        publishedPolicy = sessions.policy().orElse(null);
    }

    /** Answers a {@link KvCodec#encodeGet} query; malformed queries are the caller's error. */
    @Override
    public byte[] query(byte[] queryBytes) {
        String key = KvCodec.decodeGet(queryBytes);
        KvEntry entry = entries.get(key);
        return KvCodec.encode(entry == null ? KvResult.absent(KvResult.Status.NOT_FOUND, key, lastAppliedIndex)
                : KvResult.of(KvResult.Status.OK, key, entry, lastAppliedIndex));
    }

    /**
     * Heap the keys, values and sessions take, estimated as of the last applied command; any thread.
     * The log's own heap is the driver's ({@code RaftStatus.logHeapBytes}): both count against the
     * node's memory guard.
     */
    public long heapBytes() {
        return publishedHeapBytes;
    }

    /** Sessions kept as of the last applied command; any thread. */
    public int sessionCount() {
        return publishedSessions;
    }

    /** The replicated session policy as of the last applied command, empty before the first; any thread. */
    public Optional<SessionPolicy> sessionPolicy() {
        return Optional.ofNullable(publishedPolicy);
    }

    /**
     * Writes the whole state (keys in order, then the sessions with their policy and clock, the
     * last applied index) for log compaction. Not yet called by the driver, which does not compact.
     */
    @Override
    public void snapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
        data.writeInt(SNAPSHOT_FORMAT);
        data.writeLong(lastAppliedIndex);
        data.writeInt(entries.size());
        for (Map.Entry<String, KvEntry> e : entries.entrySet()) {
            writeString(data, e.getKey());
            writeBytes(data, e.getValue().value().bytes());
            data.writeLong(e.getValue().version());
            data.writeLong(e.getValue().createIndex());
            data.writeLong(e.getValue().modIndex());
        }
        sessions.writeTo(data);
        data.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in));
        int format = data.readInt();
        if (format != SNAPSHOT_FORMAT) {
            throw new IOException("KV snapshot format " + format + " is not the supported " + SNAPSHOT_FORMAT);
        }
        entries.clear();
        entriesHeapBytes = 0;
        lastAppliedIndex = data.readLong();
        int count = data.readInt();
        for (int i = 0; i < count; i++) {
            String key = readString(data);
            KvValue value = KvValue.ofOwned(readBytes(data));
            entries.put(key, new KvEntry(value, data.readLong(), data.readLong(), data.readLong()));
            entriesHeapBytes += entryHeapBytes(key, value);
        }
        sessions.readFrom(data);
        publish();
    }

    /** Length-prefixed UTF-8: writeUTF's modified UTF-8 stops at 64 KiB. */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("KV snapshot: negative length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** Number of keys; for tests and status. */
    public int size() {
        return entries.size();
    }
}
