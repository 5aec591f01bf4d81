package io.raftkit.storage.mapdb;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotStreamReader;
import io.raftkit.api.snapshot.SnapshotStreamWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One committed snapshot in the store's directory: {@code snapshot-<id>.meta} and its data files,
 * {@code .table} and {@code .values} for records, {@code .stream} (the transfer stream itself)
 * for bytes.
 */
final class StoredSnapshot {

    static final String PREFIX = "snapshot-";
    static final String META = ".meta";
    static final String TABLE = ".table";
    static final String VALUES = ".values";
    static final String STREAM = ".stream";

    private final SnapshotEnvironment env;
    private final Path dir;
    private final SnapshotMetaFile.Contents contents;

    StoredSnapshot(SnapshotEnvironment env, Path dir, SnapshotMetaFile.Contents contents) {
        this.env = env;
        this.dir = dir;
        this.contents = contents;
    }

    static Path metaPath(Path dir, String id) {
        return dir.resolve(PREFIX + id + META);
    }

    static List<String> dataSuffixes(SnapshotKind kind) {
        return kind == SnapshotKind.RECORDS ? List.of(TABLE, VALUES) : List.of(STREAM);
    }

    SnapshotMeta meta() {
        return contents.meta();
    }

    Path metaFile() {
        return metaPath(dir, meta().id());
    }

    Path file(String suffix) {
        return dir.resolve(PREFIX + meta().id() + suffix);
    }

    /**
     * Checks every data file against the length and CRC32C the meta file records; a missing,
     * truncated or changed file is an {@link InvalidSnapshotException} naming it.
     */
    void verify() throws IOException {
        for (SnapshotMetaFile.DataFile f : contents.files()) {
            Path path = dir.resolve(f.name());
            if (!env.disk().isRegularFile(path)) {
                throw new InvalidSnapshotException("snapshot " + meta().id() + " is damaged: its data file " + path + " is missing");
            }
            try (DiskFile file = env.disk().open(path, false)) {
                long length = file.size();
                if (length != f.length()) {
                    throw new InvalidSnapshotException("snapshot " + meta().id() + " is damaged: its data file " + path + " has "
                            + length + " bytes, " + f.length() + " were written (truncated or extended)");
                }
                long crc = DiskStreams.crc32c(file);
                if (crc != f.crc32c()) {
                    throw new InvalidSnapshotException("snapshot " + meta().id() + " is damaged: its data file " + path
                            + " fails its CRC32C checksum (bytes changed on disk)");
                }
            }
        }
    }

    /** Every file of this snapshot, the meta file first. */
    List<Path> files() {
        List<Path> all = new java.util.ArrayList<>();
        all.add(metaFile());
        for (SnapshotMetaFile.DataFile f : contents.files()) {
            all.add(dir.resolve(f.name()));
        }
        return all;
    }

    SnapshotReader reader() throws IOException {
        if (meta().kind() == SnapshotKind.RECORDS) {
            SnapshotTable.Reader table = new SnapshotTable.Reader(env, file(TABLE), file(VALUES));
            return new RecordsReader(meta(), table);
        }
        DiskFile stream = env.disk().open(file(STREAM), false);
        try {
            return new BytesReader(meta(), new SnapshotStreamReader(checked(DiskStreams.input(stream, 0), file(STREAM)),
                    file(STREAM).toString()), stream);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /** The transfer stream: the stream file of a bytes snapshot, the table's records encoded on the fly for records. */
    InputStream transferStream() throws IOException {
        if (meta().kind() == SnapshotKind.BYTES) {
            DiskFile stream = env.disk().open(file(STREAM), false);
            InputStream in = checked(DiskStreams.input(stream, 0), file(STREAM));
            return new java.io.FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    stream.close();
                }
            };
        }
        return new RecordsStream(new SnapshotTable.Reader(env, file(TABLE), file(VALUES)));
    }

    /**
     * {@code in}, checked at its end against the snapshot's size and checksum: a sender never
     * passes on bytes that changed on its disk since they were verified. A stream that skipped
     * (a leader resending from an offset after a stalled transfer) seeks instead of reading what
     * it skips, and so cannot check the whole: the receiver's checksum over every byte of the
     * transfer still refuses changed bytes, and the pass from the start that follows its refusal
     * is checked here. Reading what is skipped made each resend cost the whole file up to its
     * offset (a 512 MiB transfer at load 20 stalled for minutes: docs/benchmarks.md, issue 16).
     */
    private InputStream checked(InputStream in, Path source) {
        SnapshotMeta meta = meta();
        return new InputStream() {
            private final CRC32C crc = new CRC32C();
            private long count;
            private boolean skipped;

            @Override
            public long skip(long n) throws IOException {
                long done = in.skip(n);
                if (done > 0) {
                    skipped = true;
                    count += done;
                }
                return done;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    crc.update(b, off, n);
                    count += n;
                } else if (n < 0 && !skipped && (count != meta.sizeBytes() || crc.getValue() != meta.checksum())) {
                    throw new InvalidSnapshotException("snapshot " + meta.id() + " is damaged: " + source + " holds " + count
                            + " bytes whose checksum does not match the " + meta.sizeBytes() + " bytes recorded");
                }
                return n;
            }
        };
    }

    /** Encodes the table's records as a transfer stream, a record at a time. */
    private final class RecordsStream extends InputStream {
        private final SnapshotTable.Reader table;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final SnapshotStreamWriter encoder;
        private byte[] chunk = new byte[0];
        private int at;
        private boolean ended;

        RecordsStream(SnapshotTable.Reader table) throws IOException {
            this.table = table;
            this.encoder = new SnapshotStreamWriter(pending, SnapshotKind.RECORDS);
            this.chunk = pending.toByteArray(); // the stream's header
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (at == chunk.length) {
                if (ended) {
                    return -1;
                }
                fill();
            }
            int n = Math.min(len, chunk.length - at);
            System.arraycopy(chunk, at, b, off, n);
            at += n;
            return n;
        }

        /** Encodes records until at least 64 KiB wait, or the end. */
        private void fill() throws IOException {
            pending.reset();
            while (pending.size() < 64 * 1024) {
                byte[][] record = table.next();
                if (record == null) {
                    encoder.finish();
                    ended = true;
                    SnapshotMeta meta = meta();
                    if (encoder.size() != meta.sizeBytes() || encoder.checksum() != meta.checksum()) {
                        throw new InvalidSnapshotException("snapshot " + meta.id() + " is damaged: its table " + file(TABLE)
                                + " encodes to " + encoder.size() + " bytes whose checksum does not match the "
                                + meta.sizeBytes() + " bytes recorded");
                    }
                    break;
                }
                encoder.put(record[0], record[1]);
            }
            chunk = pending.toByteArray();
            at = 0;
        }

        @Override
        public void close() throws IOException {
            table.close();
        }
    }

    private static final class RecordsReader implements SnapshotReader {
        private final SnapshotMeta meta;
        private final SnapshotTable.Reader table;
        private byte[][] current;

        RecordsReader(SnapshotMeta meta, SnapshotTable.Reader table) {
            this.meta = meta;
            this.table = table;
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public boolean nextRecord() throws IOException {
            current = table.next();
            return current != null;
        }

        @Override
        public byte[] key() {
            return current[0];
        }

        @Override
        public byte[] value() {
            return current[1];
        }

        @Override
        public InputStream bytes() {
            throw new IllegalStateException("snapshot " + meta.id() + " holds records, not bytes");
        }

        @Override
        public void close() throws IOException {
            table.close();
        }
    }

    private static final class BytesReader implements SnapshotReader {
        private final SnapshotMeta meta;
        private final SnapshotStreamReader stream;
        private final DiskFile file;

        BytesReader(SnapshotMeta meta, SnapshotStreamReader stream, DiskFile file) {
            this.meta = meta;
            this.stream = stream;
            this.file = file;
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public boolean nextRecord() {
            throw new IllegalStateException("snapshot " + meta.id() + " holds bytes, not records");
        }

        @Override
        public byte[] key() {
            throw new IllegalStateException("snapshot " + meta.id() + " holds bytes, not records");
        }

        @Override
        public byte[] value() {
            throw new IllegalStateException("snapshot " + meta.id() + " holds bytes, not records");
        }

        @Override
        public InputStream bytes() {
            return stream.bytes();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
