package io.raftkit.core.memory;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotStreamReader;
import io.raftkit.api.snapshot.SnapshotStreamWriter;
import io.raftkit.api.spi.SnapshotStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A SnapshotStore in memory: each snapshot is its transfer stream in a byte array. NOT durable,
 * and it holds whole snapshots in the heap, which the durable stores never do: for tests and the
 * simulator. It keeps the two newest snapshots, as the {@code mapdb} store does by default. A test
 * may keep one instance across a RaftServer restart to model a node whose disk survived.
 */
public final class MemorySnapshotStore implements SnapshotStore {

    private static final int KEPT = 2;

    private record Stored(SnapshotMeta meta, byte[] stream) {
    }

    private final Map<String, Stored> snapshots = new LinkedHashMap<>();

    @Override
    public synchronized Optional<SnapshotMeta> latest() {
        return list().stream().findFirst();
    }

    @Override
    public synchronized List<SnapshotMeta> list() {
        return snapshots.values().stream().map(Stored::meta)
                .sorted(Comparator.comparingLong(SnapshotMeta::lastIncludedIndex)
                        .thenComparingLong(SnapshotMeta::lastIncludedTerm).thenComparing(SnapshotMeta::id).reversed())
                .toList();
    }

    @Override
    public SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException {
        if (lastIncludedIndex < 1 || lastIncludedTerm < 1) {
            throw new IllegalArgumentException("a snapshot's last included index and term must be >= 1, were "
                    + lastIncludedIndex + " and " + lastIncludedTerm);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SnapshotStreamWriter stream = new SnapshotStreamWriter(bytes, kind);
        return new SnapshotBuilder() {
            private boolean done;

            @Override
            public void put(byte[] key, byte[] value) throws IOException {
                requireOpen();
                stream.put(key, value);
            }

            @Override
            public void write(byte[] b, int offset, int length) throws IOException {
                requireOpen();
                stream.write(b, offset, length);
            }

            @Override
            public SnapshotMeta commit() throws IOException {
                requireOpen();
                done = true;
                stream.finish();
                SnapshotMeta meta = new SnapshotMeta(SnapshotMeta.idFor(lastIncludedIndex, lastIncludedTerm, stream.checksum()),
                        lastIncludedIndex, lastIncludedTerm, config, kind, stream.size(), stream.checksum());
                return store(meta, bytes.toByteArray());
            }

            private void requireOpen() {
                if (done) {
                    throw new IllegalStateException("this snapshot was already committed or closed");
                }
            }

            @Override
            public void close() {
                done = true;
            }
        };
    }

    private synchronized SnapshotMeta store(SnapshotMeta meta, byte[] stream) {
        Stored existing = snapshots.get(meta.id());
        if (existing != null) {
            return existing.meta();
        }
        snapshots.put(meta.id(), new Stored(meta, stream));
        List<SnapshotMeta> all = list();
        for (int i = KEPT; i < all.size(); i++) {
            if (!all.get(i).id().equals(meta.id())) {
                snapshots.remove(all.get(i).id());
            }
        }
        return meta;
    }

    private synchronized Stored find(String id) {
        Stored s = snapshots.get(id);
        if (s == null) {
            throw new NoSuchElementException("the memory snapshot store holds no snapshot " + id + "; it holds " + snapshots.keySet());
        }
        return s;
    }

    @Override
    public SnapshotReader read(String id) throws IOException {
        Stored s = find(id);
        SnapshotStreamReader in = new SnapshotStreamReader(new ByteArrayInputStream(s.stream()), "memory snapshot " + id);
        return new SnapshotReader() {
            @Override
            public SnapshotMeta meta() {
                return s.meta();
            }

            @Override
            public boolean nextRecord() throws IOException {
                return in.nextRecord();
            }

            @Override
            public byte[] key() {
                return in.key();
            }

            @Override
            public byte[] value() {
                return in.value();
            }

            @Override
            public InputStream bytes() {
                return in.bytes();
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    @Override
    public InputStream openStream(String id) {
        return new ByteArrayInputStream(find(id).stream());
    }

    @Override
    public SnapshotReceiver receive(SnapshotMeta meta) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        CRC32C crc = new CRC32C();
        return new SnapshotReceiver() {
            private boolean done;

            @Override
            public SnapshotMeta meta() {
                return meta;
            }

            @Override
            public synchronized long nextOffset() {
                return received.size();
            }

            @Override
            public synchronized boolean write(long offset, byte[] data) throws IOException {
                requireOpen();
                if (offset != received.size()) {
                    return false;
                }
                if (offset + data.length > meta.sizeBytes()) {
                    throw new InvalidSnapshotException("snapshot " + meta.id() + ": a chunk of " + data.length + " bytes at offset "
                            + offset + " reaches past the stated size of " + meta.sizeBytes() + " bytes");
                }
                received.write(data);
                crc.update(data);
                return true;
            }

            @Override
            public synchronized SnapshotMeta install() throws IOException {
                requireOpen();
                if (received.size() != meta.sizeBytes()) {
                    throw new InvalidSnapshotException("snapshot " + meta.id() + " is incomplete: " + received.size() + " of "
                            + meta.sizeBytes() + " bytes received");
                }
                done = true;
                if (crc.getValue() != meta.checksum()) {
                    throw new InvalidSnapshotException("snapshot " + meta.id() + " fails its checksum: the bytes received have"
                            + " CRC32C " + Long.toHexString(crc.getValue()) + ", the sender stated " + Long.toHexString(meta.checksum())
                            + "; discarded");
                }
                byte[] stream = received.toByteArray();
                check(stream);
                return store(meta, stream);
            }

            /** Parses the whole stream: a stream that matches its checksum but not its announced kind or format is refused. */
            private void check(byte[] stream) throws IOException {
                try (SnapshotStreamReader in = new SnapshotStreamReader(new ByteArrayInputStream(stream), "snapshot " + meta.id())) {
                    if (in.kind() != meta.kind()) {
                        throw new InvalidSnapshotException("snapshot " + meta.id() + " was announced as " + meta.kind()
                                + " but its stream holds " + in.kind());
                    }
                    if (in.kind() == SnapshotKind.RECORDS) {
                        while (in.nextRecord()) {
                            // parsing is the check
                        }
                    } else {
                        while (in.nextPiece() != null) {
                            // parsing is the check
                        }
                    }
                }
            }

            private void requireOpen() {
                if (done) {
                    throw new IllegalStateException("snapshot " + meta.id() + ": this transfer was already installed or discarded");
                }
            }

            @Override
            public void close() {
                done = true;
            }
        };
    }

    @Override
    public void close() {
        // nothing to release; the snapshots stay readable so a test can reuse the instance
    }
}
