package io.raftkit.storage.mapdb;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotStreamReader;
import io.raftkit.api.spi.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A snapshot arriving from a leader: chunks are appended, in order, to {@code receive-<id>.stream.tmp}
 * while their CRC32C accumulates and, past {@link WriteBack#RECEIVED_EVERY_BYTES}, their write-back to the disk
 * starts in the background; {@link #install} checks size and checksum, forces the file, parses
 * it (a stream that checks out but does not parse is refused too: a bytes stream's framing is
 * checked as its chunks arrive, {@link BytesStreamCheck}), turns records into a table, and
 * commits it like a local snapshot. Nothing is visible before that.
 */
final class ReceivedSnapshot implements SnapshotStore.SnapshotReceiver {

    private final MapDbSnapshotStore store;
    private final SnapshotMeta meta;
    private final Path temp;
    private final DiskFile file;
    private final CRC32C crc = new CRC32C();
    /** A bytes snapshot's framing, checked as it arrives (null for records: install() parses those anyway). */
    private final BytesStreamCheck framing;
    private final WriteBack writeBack;
    private long next;
    private boolean done;

    ReceivedSnapshot(MapDbSnapshotStore store, SnapshotMeta meta) throws IOException {
        this.store = store;
        this.meta = meta;
        this.temp = store.dir().resolve(MapDbSnapshotStore.RECEIVE_PREFIX + meta.id() + StoredSnapshot.STREAM
                + MapDbSnapshotStore.TEMP);
        this.file = store.env().disk().open(temp, true);
        file.truncate(0);
        this.framing = meta.kind() == SnapshotKind.BYTES ? new BytesStreamCheck() : null;
        this.writeBack = new WriteBack(file, WriteBack.RECEIVED_EVERY_BYTES);
    }

    @Override
    public SnapshotMeta meta() {
        return meta;
    }

    @Override
    public synchronized long nextOffset() {
        return next;
    }

    @Override
    public synchronized boolean write(long offset, byte[] data) throws IOException {
        requireOpen();
        if (offset != next) {
            return false;
        }
        if (next + data.length > meta.sizeBytes()) {
            throw new InvalidSnapshotException("snapshot " + meta.id() + ": a chunk of " + data.length + " bytes at offset "
                    + offset + " reaches past the stated size of " + meta.sizeBytes() + " bytes");
        }
        file.write(ByteBuffer.wrap(data), offset);
        crc.update(data);
        if (framing != null) {
            framing.update(data, 0, data.length);
        }
        next += data.length;
        writeBack.written(next);
        return true;
    }

    @Override
    public synchronized SnapshotMeta install() throws IOException {
        requireOpen();
        if (next != meta.sizeBytes()) {
            throw new InvalidSnapshotException("snapshot " + meta.id() + " is incomplete: " + next + " of " + meta.sizeBytes()
                    + " bytes received");
        }
        if (crc.getValue() != meta.checksum()) {
            close();
            throw new InvalidSnapshotException("snapshot " + meta.id() + " fails its checksum: the " + next
                    + " bytes received have CRC32C " + Long.toHexString(crc.getValue()) + ", the sender stated "
                    + Long.toHexString(meta.checksum()) + "; discarded");
        }
        writeBack.finish(); // a failed background force is this install's failure
        DiskStreams.forceData(file);
        done = true;
        try {
            return meta.kind() == SnapshotKind.BYTES ? installBytes() : installRecords();
        } catch (IOException | RuntimeException e) {
            deleteQuietly(e);
            throw e;
        } finally {
            file.close();
        }
    }

    private SnapshotMeta installBytes() throws IOException {
        // The framing was checked chunk by chunk as the bytes arrived: no second pass over the file.
        String problem = framing.problem();
        if (problem != null) {
            throw new InvalidSnapshotException("snapshot stream " + temp + " is " + problem);
        }
        Map<Path, String> data = new LinkedHashMap<>();
        data.put(temp, StoredSnapshot.STREAM);
        // The stream file holds exactly the bytes whose CRC32C install() just checked against the meta.
        return store.commit(meta, data, Map.of(temp, meta.checksum()));
    }

    private SnapshotMeta installRecords() throws IOException {
        Path dir = store.dir();
        String token = MapDbSnapshotStore.RECEIVE_PREFIX + meta.id();
        Path tablePath = dir.resolve(token + StoredSnapshot.TABLE + MapDbSnapshotStore.TEMP);
        Path valuesPath = dir.resolve(token + StoredSnapshot.VALUES + MapDbSnapshotStore.TEMP);
        Map<Path, String> data = new LinkedHashMap<>();
        data.put(tablePath, StoredSnapshot.TABLE);
        data.put(valuesPath, StoredSnapshot.VALUES);
        try (SnapshotStreamReader reader = new SnapshotStreamReader(DiskStreams.input(file, 0), temp.toString());
             SnapshotTable.Writer table = new SnapshotTable.Writer(store.env().disk(), tablePath, valuesPath, store.writeBackBytes())) {
            checkKind(reader);
            while (reader.nextRecord()) {
                table.put(reader.key(), reader.value());
            }
            table.finish();
        } catch (IOException | RuntimeException e) {
            for (Path p : data.keySet()) {
                if (store.env().disk().exists(p)) {
                    store.env().disk().delete(p);
                }
            }
            throw e;
        }
        SnapshotMeta installed = store.commit(meta, data);
        store.env().disk().delete(temp);
        return installed;
    }

    private void checkKind(SnapshotStreamReader reader) throws InvalidSnapshotException {
        if (reader.kind() != meta.kind()) {
            throw new InvalidSnapshotException("snapshot " + meta.id() + " was announced as " + meta.kind() + " but its stream holds "
                    + reader.kind());
        }
    }

    private void requireOpen() throws IOException {
        if (done) {
            throw new IllegalStateException("snapshot " + meta.id() + ": this transfer was already installed or discarded");
        }
        store.checkOpen();
    }

    private void deleteQuietly(Exception cause) {
        try {
            if (store.env().disk().exists(temp)) {
                store.env().disk().delete(temp);
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            writeBack.discard();
            file.close();
        } finally {
            if (store.env().disk().exists(temp)) {
                store.env().disk().delete(temp);
            }
        }
    }
}
