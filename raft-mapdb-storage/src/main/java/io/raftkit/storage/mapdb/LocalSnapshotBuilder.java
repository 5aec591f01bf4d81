package io.raftkit.storage.mapdb;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotStreamWriter;
import io.raftkit.api.spi.SnapshotStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot a state machine writes on this node. Records go to a {@link SnapshotTable}; bytes go
 * to a stream file, already in the transfer format. Either way every call also passes through a
 * {@link SnapshotStreamWriter}, which checks the writer's rules (key order, sizes, one kind) and
 * measures the transfer stream's size and checksum, the snapshot's id and metadata, without
 * keeping it.
 */
final class LocalSnapshotBuilder implements SnapshotStore.SnapshotBuilder {

    private final MapDbSnapshotStore store;
    private final long lastIncludedIndex;
    private final long lastIncludedTerm;
    private final ClusterConfig config;
    private final SnapshotKind kind;
    private final Map<Path, String> dataFiles = new LinkedHashMap<>();
    private final SnapshotStreamWriter stream;
    private final SnapshotTable.Writer table;
    private final DiskFile streamFile;
    private final OutputStream streamOut;
    /** An opaque snapshot's stream file's head start to the disk; null for records (the table has its own). */
    private final WriteBack streamWriteBack;
    private boolean done;

    LocalSnapshotBuilder(MapDbSnapshotStore store, String token, long lastIncludedIndex, long lastIncludedTerm,
                         ClusterConfig config, SnapshotKind kind) throws IOException {
        this.store = store;
        this.lastIncludedIndex = lastIncludedIndex;
        this.lastIncludedTerm = lastIncludedTerm;
        this.config = config;
        this.kind = kind;
        Disk disk = store.env().disk();
        Path dir = store.dir();
        if (kind == SnapshotKind.RECORDS) {
            Path tablePath = dir.resolve(token + StoredSnapshot.TABLE + MapDbSnapshotStore.TEMP);
            Path valuesPath = dir.resolve(token + StoredSnapshot.VALUES + MapDbSnapshotStore.TEMP);
            dataFiles.put(tablePath, StoredSnapshot.TABLE);
            dataFiles.put(valuesPath, StoredSnapshot.VALUES);
            this.table = new SnapshotTable.Writer(disk, tablePath, valuesPath, store.writeBackBytes());
            this.streamFile = null;
            this.streamOut = OutputStream.nullOutputStream();
            this.streamWriteBack = null;
        } else {
            Path streamPath = dir.resolve(token + StoredSnapshot.STREAM + MapDbSnapshotStore.TEMP);
            dataFiles.put(streamPath, StoredSnapshot.STREAM);
            this.table = null;
            this.streamFile = disk.open(streamPath, true);
            streamFile.truncate(0);
            this.streamWriteBack = new WriteBack(streamFile, store.writeBackBytes());
            this.streamOut = DiskStreams.output(streamFile, 0, streamWriteBack);
        }
        this.stream = new SnapshotStreamWriter(streamOut, kind);
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        requireOpen();
        stream.put(key, value); // checks the kind, the order and the sizes first
        table.put(key, value);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        requireOpen();
        stream.write(bytes, offset, length);
    }

    @Override
    public SnapshotMeta commit() throws IOException {
        requireOpen();
        stream.finish();
        if (table != null) {
            table.finish();
            table.close();
        } else {
            streamOut.flush();
            streamWriteBack.finish(); // a failed background force is this commit's failure
            DiskStreams.forceData(streamFile);
            streamFile.close();
        }
        done = true;
        long checksum = stream.checksum();
        SnapshotMeta meta = new SnapshotMeta(SnapshotMeta.idFor(lastIncludedIndex, lastIncludedTerm, checksum),
                lastIncludedIndex, lastIncludedTerm, config, kind, stream.size(), checksum);
        try {
            // An opaque snapshot's one data file is its transfer stream: its CRC32C is the meta's checksum.
            return table == null ? store.commit(meta, dataFiles, Map.of(dataFiles.keySet().iterator().next(), checksum))
                    : store.commit(meta, dataFiles);
        } catch (IOException | RuntimeException e) {
            deleteTemporaryFiles();
            throw e;
        }
    }

    private void requireOpen() throws IOException {
        if (done) {
            throw new IllegalStateException("this snapshot was already committed or closed");
        }
        store.checkOpen();
    }

    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (table != null) {
                table.close();
            } else {
                streamWriteBack.discard();
                streamFile.close();
            }
        } finally {
            deleteTemporaryFiles();
        }
    }

    private void deleteTemporaryFiles() throws IOException {
        Disk disk = store.env().disk();
        for (Path p : dataFiles.keySet()) {
            if (disk.exists(p)) {
                disk.delete(p);
            }
        }
    }
}
