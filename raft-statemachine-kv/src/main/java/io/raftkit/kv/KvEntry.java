package io.raftkit.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One stored key's value and its history markers (the etcd model: version, create and mod revision).
 * Equality is by content.
 *
 * <p>Held as one array in the form of its snapshot data record ({@link KvSnapshotRecords}: version,
 * createIndex, modIndex, big-endian, then the value's bytes), and the state machine's tree keeps that
 * array alone, not this object: a live key then costs the tree node, the key's record key (its
 * UTF-8 bytes after the data prefix, see {@code KvStateMachine}) and this array: three objects, not
 * the six of a node, a String and its bytes, an entry, a {@link KvValue} and its bytes. A restart builds a million of them at once and young collections
 * copying them were about half of the 1 M-key restore (docs/benchmarks.md, "The snapshot load, phase
 * by phase"); a restore also keeps the record's array as the snapshot reader hands it over, and a
 * snapshot writes it as it is, with no copy either way. The price is one copy of the value when it is
 * read ({@link #value()}), which an answer's encoding copies again anyway.
 */
public final class KvEntry {

    static final int HEADER_BYTES = 3 * 8;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** version:i64 createIndex:i64 modIndex:i64 value; never written after construction. */
    private final byte[] record;

    public KvEntry(KvValue value, long version, long createIndex, long modIndex) {
        this(record(Objects.requireNonNull(value, "value"), version, createIndex, modIndex));
    }

    private KvEntry(byte[] record) {
        this.record = record;
    }

    /** The entry a record holds; {@code record} is handed over and never written again. */
    static KvEntry ofRecord(byte[] record) {
        return new KvEntry(record);
    }

    /** The entry {@code record} holds, or null for null (a tree lookup that found nothing). */
    static KvEntry ofNullable(byte[] record) {
        return record == null ? null : new KvEntry(record);
    }

    static byte[] record(KvValue value, long version, long createIndex, long modIndex) {
        byte[] record = new byte[HEADER_BYTES + value.length()];
        LONG.set(record, 0, version);
        LONG.set(record, 8, createIndex);
        LONG.set(record, 16, modIndex);
        byte[] bytes = value.bytesUnsafe();
        System.arraycopy(bytes, 0, record, HEADER_BYTES, bytes.length);
        return record;
    }

    /** The record itself, not a copy: for the tree and the snapshot writer, which only read it. */
    byte[] recordUnsafe() {
        return record;
    }

    KvEntry overwrite(KvValue newValue, long index) {
        return new KvEntry(record(newValue, version() + 1, createIndex(), index));
    }

    static KvEntry created(KvValue value, long index) {
        return new KvEntry(record(value, 1, index, index));
    }

    /** A copy of the value. */
    public KvValue value() {
        return KvValue.copyOf(record, HEADER_BYTES, record.length);
    }

    /** The value's length in bytes, without copying it. */
    int valueLength() {
        return valueLength(record);
    }

    static int valueLength(byte[] record) {
        return record.length - HEADER_BYTES;
    }

    /** Whether the value's bytes are {@code other}'s, without copying them. */
    boolean valueEquals(KvValue other) {
        return other.contentEquals(record, HEADER_BYTES, record.length);
    }

    public long version() {
        return (long) LONG.get(record, 0);
    }

    public long createIndex() {
        return (long) LONG.get(record, 8);
    }

    public long modIndex() {
        return (long) LONG.get(record, 16);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEntry other && Arrays.equals(record, other.record);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(record);
    }

    @Override
    public String toString() {
        return "KvEntry[value=" + value() + ", version=" + version() + ", createIndex=" + createIndex() + ", modIndex="
                + modIndex() + "]";
    }
}
