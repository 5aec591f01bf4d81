package io.raftkit.kv.snapshot;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.SessionStamp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers: a KV state with keys and sessions, and its snapshot in a store and in a file. */
final class SnapshotFiles {

    private SnapshotFiles() {
    }

    /** {@code keys} keys written by 5 clients with sessions, then one overwrite and one delete. */
    static KvStateMachine state(int keys) {
        KvStateMachine sm = new KvStateMachine(60_000);
        long index = 0;
        for (int i = 0; i < keys; i++) {
            sm.apply(++index, KvCodec.encode(new KvCommand.Put(new SessionStamp(1 + i % 5, 1 + i / 5, 1_000 + i), "key-" + i, "value-" + i)));
        }
        sm.apply(++index, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(9_000), "key-0", "changed")));
        sm.apply(++index, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(9_000), "gone", "x")));
        sm.apply(++index, KvCodec.encode(new KvCommand.Delete(SessionStamp.anonymous(9_000), "gone")));
        return sm;
    }

    /** Captures {@code sm} into {@code store} as the snapshot at {@code index}, {@code term}. */
    static SnapshotMeta snapshot(KvStateMachine sm, SnapshotStore store, long index, long term, ClusterConfig config) throws IOException {
        try (StateMachineSnapshot snapshot = sm.captureSnapshot();
             SnapshotStore.SnapshotBuilder builder = store.create(index, term, config, snapshot.kind())) {
            snapshot.writeTo(builder);
            return builder.commit();
        }
    }

    /** What 'snapshot save' would have written for {@code meta}. */
    static Path file(SnapshotStore store, SnapshotMeta meta, Path file) throws IOException {
        try (InputStream in = store.openStream(meta.id()); OutputStream out = Files.newOutputStream(file)) {
            SnapshotFile.write(out, meta, in);
        }
        return file;
    }
}
