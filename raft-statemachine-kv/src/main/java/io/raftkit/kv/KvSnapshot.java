package io.raftkit.kv;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.SnapshotWriter;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import java.io.IOException;
import java.util.Map;

/**
 * The KV state captured at one applied index ({@link KvStateMachine#captureSnapshot()}): frozen
 * views of the data and session maps and the small fields, all taken in O(1) on the loop. Written
 * as {@link KvSnapshotRecords} on the snapshot writer thread while applies go on; it reads only
 * the frozen views, which later applies never change.
 */
final class KvSnapshot implements StateMachineSnapshot {

    private final KvSnapshotRecords.Meta meta;
    private final Sessions.Frozen sessions;
    private final CowTreeMap.View<byte[], byte[]> data;

    KvSnapshot(KvSnapshotRecords.Meta meta, Sessions.Frozen sessions, CowTreeMap.View<byte[], byte[]> data) {
        this.meta = meta;
        this.sessions = sessions;
        this.data = data;
    }

    @Override
    public SnapshotKind kind() {
        return SnapshotKind.RECORDS;
    }

    /** Number of keys captured. */
    int keys() {
        return data.size();
    }

    @Override
    public void writeTo(SnapshotWriter out) throws IOException {
        out.put(KvSnapshotRecords.metaKey(), KvSnapshotRecords.metaValue(meta));
        for (Map.Entry<Long, Sessions.Session> s : sessions.sessions()) {
            out.put(KvSnapshotRecords.sessionKey(s.getKey()), KvSnapshotRecords.sessionValue(s.getValue()));
        }
        for (Map.Entry<byte[], byte[]> e : data) {
            // The tree keeps each key and entry as its record already (KvStateMachine): written as they are.
            out.put(e.getKey(), e.getValue());
        }
    }
}
