package io.raftkit.storage.mapdb;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.SnapshotStreamWriter;
import io.raftkit.api.snapshot.SnapshotWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

/**
 * The content of the test snapshot at (index, term), records or bytes, as a function of them, so
 * the crash checkers keep no copy: records with values inline, beside the table (over 8 KiB) and
 * well beyond a MapDB node's share of a page.
 */
final class SnapshotContent {

    private SnapshotContent() {
    }

    static void write(long index, long term, SnapshotKind kind, SnapshotWriter out) throws IOException {
        Random random = new Random(index * 1_000_003L + term);
        if (kind == SnapshotKind.BYTES) {
            byte[] bytes = new byte[(int) (index * 997 % 90_000)];
            random.nextBytes(bytes);
            out.write(bytes, 0, bytes.length);
            return;
        }
        int count = (int) (index * 7 % 60);
        for (int j = 0; j < count; j++) {
            byte[] value = new byte[j % 25 == 24 ? 70_000 : j % 10 == 9 ? 9_000 : 30];
            random.nextBytes(value);
            out.put(String.format("k%05d", j).getBytes(), value);
        }
    }

    /** The transfer stream of the snapshot at (index, term), built in memory as a leader's store would send it. */
    static byte[] stream(long index, long term, SnapshotKind kind) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SnapshotStreamWriter writer = new SnapshotStreamWriter(bytes, kind);
        write(index, term, kind, writer);
        writer.finish();
        return bytes.toByteArray();
    }
}
