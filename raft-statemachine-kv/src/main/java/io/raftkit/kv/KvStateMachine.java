package io.raftkit.kv;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotStreamReader;
import io.raftkit.api.snapshot.SnapshotStreamWriter;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated key-value map. Deterministic by construction: a sorted map, no clock but the
 * leader timestamps inside commands, no randomness. Snapshots in two phases: {@link #captureSnapshot}
 * freezes the state in O(1), {@link KvSnapshot} writes it as {@link KvSnapshotRecords} on another
 * thread, {@link #restoreSnapshot} reads them back. Called from the node's one apply thread; the
 * few figures other threads read ({@link #heapBytes}, {@link #sessionCount}, {@link #sessionPolicy})
 * are published after each command.
 */
public final class KvStateMachine implements StateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
    /** The TTL for logs written before session policies were replicated (then node configuration). */
    public static final long DEFAULT_SESSION_TTL_MILLIS = SessionPolicy.DEFAULT_TTL_MILLIS;
    /**
     * A map entry beyond its characters: the tree entry, the KvEntry, two String objects and their
     * array headers. Measured 170 bytes (200,000 entries, heap after GC, JDK 17), rounded up, with a
     * TreeMap, whose entry is 40 bytes as a {@link CowTreeMap} node is. Not counted: the nodes a
     * snapshot being written still holds after later writes replaced them (at most one path per
     * key written meanwhile, freed when the snapshot is closed). Kept as it was measured when a key
     * was held as a String and its entry as a KvEntry and a KvValue besides the value's array. The
     * node and two arrays a key takes now: 209 bytes a key for 12-character keys and 100-byte values
     * (1 M keys restored, heap after GC, JDK 17; 265 in the old form), against 288 estimated here: an
     * estimate that errs high by about 80 bytes a key, and the same whether the state was applied or
     * restored.
     */
    private static final long ENTRY_HEAP_BYTES = 176;

    /**
     * Each key as its snapshot data record's key (0x02 and the key's UTF-8) to its entry as the
     * record's value ({@link KvEntry}), in unsigned byte order, which is the keys' code point order
     * and the order snapshot records need; copy-on-write so a snapshot captures it in O(1)
     * ({@link CowTreeMap} says why this structure). Three objects per live key (the node and two
     * arrays) rather than six with a String key and KvEntry and KvValue objects: young collections
     * copying the entries a restart builds were about half of a 1 M-key restore
     * (docs/benchmarks.md, "The snapshot load, phase by phase"), and a restore now keeps the arrays
     * the snapshot reader hands over as they are. A command's key is encoded to look it up; every
     * applied key came from valid UTF-8 ({@link KvCodec}), so the encoding is one-to-one.
     */
    private CowTreeMap<byte[], byte[]> entries = new CowTreeMap<>(Arrays::compareUnsigned);
    private Sessions sessions;
    private final long legacySessionTtlMillis;
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
        this.legacySessionTtlMillis = legacySessionTtlMillis;
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
        byte[] answer;
        if (command instanceof KvCommand.SetSessionPolicy set) {
            sessions.setPolicy(set.policy());
            answer = KvCodec.encode(KvResult.absent(KvResult.Status.OK, "", index));
        } else if (command instanceof KvCommand.Keyed keyed) {
            answer = KvCodec.encode(applyKeyed(index, keyed, commandBytes));
        } else if (command instanceof KvCommand.Txn txn) {
            answer = KvTxnCodec.encode(applyTxn(index, txn, commandBytes));
        } else {
            throw new AssertionError("unhandled " + command);
        }
        publish();
        return answer;
    }

    /**
     * A transaction, under the same session rules as a keyed command. Its session outcome is only a
     * status and an index (the session record's key fields stay 0): a retry learns whether it
     * applied and where, not what it read, and says so ({@link KvResult.Origin#DUPLICATE_VALUE_FORGOTTEN}).
     */
    private KvTxnResult applyTxn(long index, KvCommand.Txn txn, byte[] commandBytes) {
        byte[] digest = txn.stamp().hasSession() ? KvCodec.digest(sha256, commandBytes) : null;
        Sessions.Verdict verdict = sessions.check(index, txn.stamp(), digest);
        if (verdict instanceof Sessions.Apply) {
            TxnExecution execution = new TxnExecution(this::entry, index);
            KvTxnResult result = execution.run(txn);
            if (result.succeeded()) {
                execution.writes().forEach(this::commit);
            }
            sessions.record(index, txn.stamp(), digest, KvResult.absent(result.status(), "", index));
            return result;
        } else if (verdict instanceof Sessions.Duplicate duplicate) {
            Sessions.Outcome first = duplicate.session().outcome();
            return new KvTxnResult(first.status(), OptionalInt.empty(), List.of(), first.index(),
                    KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN);
        } else if (verdict instanceof Sessions.Reused reused) {
            return KvTxnResult.refused(KvResult.Status.SEQUENCE_REUSED, reused.session().outcome().index());
        } else if (verdict instanceof Sessions.Stale) {
            return KvTxnResult.refused(KvResult.Status.STALE_SEQUENCE, index);
        } else if (verdict instanceof Sessions.Expired) {
            return KvTxnResult.refused(KvResult.Status.SESSION_EXPIRED, index);
        }
        throw new AssertionError("unhandled " + verdict);
    }

    /** One write of a transaction that succeeded: {@code next} null removes the key. */
    private void commit(String key, KvEntry next) {
        byte[] recordKey = KvSnapshotRecords.dataKey(key);
        byte[] current = entries.get(recordKey);
        if (current != null) {
            entriesHeapBytes -= entryHeapBytes(recordKey, KvEntry.valueLength(current));
        }
        if (next == null) {
            if (current != null) {
                entries.remove(recordKey);
            }
        } else {
            entries.put(recordKey, next.recordUnsafe());
            entriesHeapBytes += entryHeapBytes(recordKey, next.valueLength());
        }
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
        byte[] recordKey = KvSnapshotRecords.dataKey(key);
        KvEntry current = KvEntry.ofNullable(entries.get(recordKey));
        if (command instanceof KvCommand.Put put) {
            return written(key, write(recordKey, current, put.value(), index), put.value(), index);
        } else if (command instanceof KvCommand.Delete) {
            if (current == null) {
                return KvResult.absent(KvResult.Status.NOT_FOUND, key, index);
            }
            entries.remove(recordKey);
            entriesHeapBytes -= entryHeapBytes(recordKey, current.valueLength());
            return new KvResult(KvResult.Status.OK, key, Optional.empty(), current.version(), current.createIndex(), index, index);
        } else if (command instanceof KvCommand.Cas cas) {
            boolean holds = cas.expected().isEmpty() ? current == null
                    : current != null && current.valueEquals(cas.expected().get());
            if (!holds) {
                return current == null ? KvResult.absent(KvResult.Status.CAS_FAILED, key, index)
                        : KvResult.of(KvResult.Status.CAS_FAILED, key, current, index);
            }
            return written(key, write(recordKey, current, cas.value(), index), cas.value(), index);
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
            KvEntry now = entry(key);
            if (now != null && now.createIndex() == first.createIndex() && now.modIndex() == first.modIndex()) {
                value = Optional.of(now.value());
            } else {
                origin = KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN;
            }
        }
        return new KvResult(first.status(), key, value, first.version(), first.createIndex(), first.modIndex(), first.index(), origin);
    }

    /** Writes the key whose record key is {@code recordKey}, now {@code current} (null: absent). */
    private KvEntry write(byte[] recordKey, KvEntry current, KvValue value, long index) {
        KvEntry next;
        if (current == null) {
            next = KvEntry.created(value, index);
        } else {
            next = current.overwrite(value, index);
            entriesHeapBytes -= entryHeapBytes(recordKey, current.valueLength());
        }
        entries.put(recordKey, next.recordUnsafe());
        entriesHeapBytes += entryHeapBytes(recordKey, value.length());
        return next;
    }

    /**
     * The answer of a write of {@code value}, which is the entry's value: taken from the command
     * rather than copied out of the entry's record ({@link KvEntry#value()} copies).
     */
    private static KvResult written(String key, KvEntry entry, KvValue value, long index) {
        return new KvResult(KvResult.Status.OK, key, Optional.of(value), entry.version(), entry.createIndex(), entry.modIndex(), index);
    }

    /** The key's entry, or null. */
    private KvEntry entry(String key) {
        return KvEntry.ofNullable(entries.get(KvSnapshotRecords.dataKey(key)));
    }

    /** A key's estimated heap, from its record key: applies and restores count the same way. */
    private static long entryHeapBytes(byte[] recordKey, int valueLength) {
        return ENTRY_HEAP_BYTES + charsHeapBytes(recordKey) + valueLength;
    }

    /**
     * What the key's characters would take as a String (compact strings: one byte a char when every
     * char is Latin-1, else two), from the UTF-8 after the record key's prefix: its UTF-16 length (a
     * char per sequence, two for a 4-byte one), Latin-1 when every code point is at most U+00FF,
     * whose UTF-8 leads with at most 0xC3.
     */
    private static long charsHeapBytes(byte[] recordKey) {
        long chars = 0;
        boolean latin1 = true;
        for (int i = 1; i < recordKey.length; i++) {
            int b = recordKey[i] & 0xff;
            if ((b & 0xC0) != 0x80) {
                chars += b >= 0xF0 ? 2 : 1;
                latin1 &= b < 0xC4;
            }
        }
        return latin1 ? chars : 2 * chars;
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
        KvEntry entry = entry(key);
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

    @Override
    public boolean supportsSnapshots() {
        return true;
    }

    /**
     * Freezes the data and session maps (O(1): {@link CowTreeMap}) and copies the few fields beside
     * them; later applies copy what they change, so the view stays as of {@link #lastAppliedIndex}.
     */
    @Override
    public StateMachineSnapshot captureSnapshot() {
        Sessions.Frozen frozen = sessions.freeze();
        return new KvSnapshot(new KvSnapshotRecords.Meta(lastAppliedIndex, frozen.policy(), frozen.clock()), frozen,
                entries.freeze());
    }

    /**
     * Replaces the state with the snapshot's records ({@link KvSnapshotRecords}), read one at a time
     * into new maps that replace the live ones only once every record has been read: a bad record
     * throws {@link InvalidSnapshotException} naming it and leaves the state as it was.
     */
    @Override
    public void restoreSnapshot(SnapshotReader snapshot) throws IOException {
        restoreRecords(new Records() {
            @Override
            public boolean next() throws IOException {
                return snapshot.nextRecord();
            }

            @Override
            public byte[] key() {
                return snapshot.key();
            }

            @Override
            public byte[] value() {
                return snapshot.value();
            }
        });
    }

    /** The records of a snapshot, one at a time. */
    private interface Records {
        boolean next() throws IOException;

        byte[] key();

        byte[] value();
    }

    private void restoreRecords(Records records) throws IOException {
        if (!records.next()) {
            throw new InvalidSnapshotException("KV snapshot holds no records; it needs at least its meta record (key 0x00)");
        }
        byte[] key = records.key();
        if (KvSnapshotRecords.partOf(key) != KvSnapshotRecords.Part.META) {
            throw KvSnapshotRecords.invalid(key, "the first record must be the meta record (key 0x00)");
        }
        KvSnapshotRecords.Meta meta = KvSnapshotRecords.decodeMeta(key, records.value());
        Sessions restoredSessions = Sessions.restoring(legacySessionTtlMillis, meta.policy(), meta.clock());
        // Records arrive in key order: collect them and build the tree balanced in one pass.
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        long heap = 0;
        while (records.next()) {
            key = records.key();
            KvSnapshotRecords.Part part = KvSnapshotRecords.partOf(key);
            if (part == KvSnapshotRecords.Part.SESSION) {
                restoredSessions.restore(KvSnapshotRecords.decodeSession(key, records.value()));
            } else if (part == KvSnapshotRecords.Part.DATA) {
                KvSnapshotRecords.checkDataKey(key);
                byte[] entry = KvSnapshotRecords.checkData(key, records.value());
                if (!keys.isEmpty() && Arrays.compareUnsigned(keys.get(keys.size() - 1), key) >= 0) {
                    throw KvSnapshotRecords.invalid(key, "key '" + KvSnapshotRecords.decodeDataKey(key)
                            + "' is not above the key before it");
                }
                // The reader's arrays are the caller's (SnapshotReader): kept as they are.
                keys.add(key);
                values.add(entry);
                heap += entryHeapBytes(key, KvEntry.valueLength(entry));
            } else {
                throw KvSnapshotRecords.invalid(key, "a second meta record");
            }
        }
        entries = CowTreeMap.ofSorted(Arrays::compareUnsigned, keys, values);
        sessions = restoredSessions;
        entriesHeapBytes = heap;
        lastAppliedIndex = meta.lastAppliedIndex();
        publish();
    }

    /**
     * The one-stream form of {@link #captureSnapshot}: the same records as a transfer stream
     * ({@link io.raftkit.api.snapshot.SnapshotStreamFormat}), so there is one KV snapshot format.
     */
    @Override
    public void snapshot(OutputStream out) throws IOException {
        try (StateMachineSnapshot snapshot = captureSnapshot()) {
            SnapshotStreamWriter writer = new SnapshotStreamWriter(out, snapshot.kind());
            snapshot.writeTo(writer);
            writer.finish();
        }
    }

    /** Restores what {@link #snapshot(OutputStream)} wrote; a malformed stream or record throws, changing nothing. */
    @Override
    public void restore(InputStream in) throws IOException {
        SnapshotStreamReader reader = new SnapshotStreamReader(in, "KV snapshot stream");
        if (reader.kind() != SnapshotKind.RECORDS) {
            throw new InvalidSnapshotException("KV snapshot stream holds bytes, not the KV records");
        }
        restoreRecords(new Records() {
            @Override
            public boolean next() throws IOException {
                return reader.nextRecord();
            }

            @Override
            public byte[] key() {
                return reader.key();
            }

            @Override
            public byte[] value() {
                return reader.value();
            }
        });
    }

    /** Number of keys; for tests and status. */
    public int size() {
        return entries.size();
    }
}
