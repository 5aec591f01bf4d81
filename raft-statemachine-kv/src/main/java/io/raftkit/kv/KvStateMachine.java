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
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated key-value map. Deterministic by construction: a sorted map, no clock but the
 * leader timestamps inside commands, no randomness. Called from the node's one apply thread.
 */
public final class KvStateMachine implements StateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
    public static final long DEFAULT_SESSION_TTL_MILLIS = 3_600_000;
    private static final int SNAPSHOT_FORMAT = 1;

    private final TreeMap<String, KvEntry> entries = new TreeMap<>();
    private final Sessions sessions;
    private long lastAppliedIndex;

    public KvStateMachine() {
        this(DEFAULT_SESSION_TTL_MILLIS);
    }

    public KvStateMachine(long sessionTtlMillis) {
        this.sessions = new Sessions(sessionTtlMillis);
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
        Sessions.Verdict verdict = sessions.check(command.stamp());
        if (verdict instanceof Sessions.Duplicate duplicate) {
            return duplicate.result();
        } else if (verdict instanceof Sessions.Stale) {
            return KvCodec.encode(KvResult.absent(KvResult.Status.STALE_SEQUENCE, command.key(), index));
        } else if (!(verdict instanceof Sessions.Apply)) {
            throw new AssertionError("unhandled " + verdict);
        }
        byte[] result = KvCodec.encode(execute(index, command));
        sessions.record(command.stamp(), result);
        return result;
    }

    private KvResult execute(long index, KvCommand command) {
        String key = command.key();
        KvEntry current = entries.get(key);
        if (command instanceof KvCommand.Put put) {
            return KvResult.of(KvResult.Status.OK, key, write(key, current, put.value(), index), index);
        } else if (command instanceof KvCommand.Delete) {
            if (current == null) {
                return KvResult.absent(KvResult.Status.NOT_FOUND, key, index);
            }
            entries.remove(key);
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

    private KvEntry write(String key, KvEntry current, String value, long index) {
        KvEntry next = current == null ? KvEntry.created(value, index) : current.overwrite(value, index);
        entries.put(key, next);
        return next;
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
     * Writes the whole state (keys in order, sessions in use order, the log clock, the last
     * applied index) for log compaction. Not yet called by the driver, which does not compact.
     */
    @Override
    public void snapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
        data.writeInt(SNAPSHOT_FORMAT);
        data.writeLong(lastAppliedIndex);
        data.writeInt(entries.size());
        for (Map.Entry<String, KvEntry> e : entries.entrySet()) {
            data.writeUTF(e.getKey());
            byte[] value = e.getValue().value().getBytes(StandardCharsets.UTF_8);
            data.writeInt(value.length);
            data.write(value);
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
        lastAppliedIndex = data.readLong();
        int count = data.readInt();
        for (int i = 0; i < count; i++) {
            String key = data.readUTF();
            byte[] value = new byte[data.readInt()];
            data.readFully(value);
            entries.put(key, new KvEntry(new String(value, StandardCharsets.UTF_8), data.readLong(), data.readLong(), data.readLong()));
        }
        sessions.readFrom(data);
    }

    /** Number of keys; for tests and status. */
    public int size() {
        return entries.size();
    }

    int sessionCount() {
        return sessions.size();
    }
}
