package io.raftkit.kv.snapshot;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotStreamReader;
import io.raftkit.kv.KvSnapshotRecords;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * What {@code raft-kv snapshot status} reports about a {@link SnapshotFile}, found by reading the
 * whole file once, never holding more than one record: the header's metadata, the KV keys and
 * client sessions the records hold, whether the stream's length and CRC32C match the header, and
 * the first problem found (empty when the file is sound).
 *
 * @param keys     data records ({@link KvSnapshotRecords.Part#DATA}); 0 for a bytes snapshot
 * @param sessions client session records
 */
public record SnapshotFileStatus(Path file, SnapshotMeta meta, long fileBytes, long keys, long sessions, boolean checksumOk,
                                 Optional<String> problem) {

    public boolean ok() {
        return checksumOk && problem.isEmpty();
    }

    /**
     * Reads {@code file} through. A file that is missing or whose header is damaged throws (there is
     * nothing to report then); damage after the header is reported in {@link #problem()}.
     */
    public static SnapshotFileStatus inspect(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such snapshot file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is not a regular file");
        }
        long fileBytes = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            SnapshotMeta meta = SnapshotFile.readHeader(raw, file.toString());
            CRC32C crc = new CRC32C();
            Bounded body = new Bounded(raw, meta.sizeBytes());
            CheckedInputStream checked = new CheckedInputStream(body, crc);
            long keys = 0;
            long sessions = 0;
            Optional<String> problem = Optional.empty();
            try {
                SnapshotStreamReader reader = new SnapshotStreamReader(checked, file.toString());
                if (reader.kind() != meta.kind()) {
                    throw new InvalidSnapshotException("the header says " + meta.kind() + " but the stream holds " + reader.kind());
                }
                if (reader.kind() == SnapshotKind.RECORDS) {
                    while (reader.nextRecord()) {
                        KvSnapshotRecords.Part part = KvSnapshotRecords.partOf(reader.key());
                        keys += part == KvSnapshotRecords.Part.DATA ? 1 : 0;
                        sessions += part == KvSnapshotRecords.Part.SESSION ? 1 : 0;
                    }
                } else {
                    while (reader.nextPiece() != null) {
                        // counted by the reader; the checksum below covers the bytes
                    }
                }
            } catch (InvalidSnapshotException e) {
                problem = Optional.of(e.getMessage());
            }
            checked.skip(Long.MAX_VALUE); // the rest of the stated stream, for its checksum
            long read = body.read;
            boolean trailing = raw.read() >= 0;
            boolean checksumOk = read == meta.sizeBytes() && crc.getValue() == meta.checksum();
            if (read < meta.sizeBytes()) {
                problem = Optional.of("the file is truncated: its stream has " + read + " of the " + meta.sizeBytes()
                        + " bytes its header states");
            } else if (crc.getValue() != meta.checksum()) {
                problem = Optional.of("checksum mismatch: the stream's CRC32C is " + String.format("%08x", crc.getValue())
                        + ", the header states " + String.format("%08x", meta.checksum()) + " (the file is damaged)");
            } else if (trailing) {
                problem = Optional.of("bytes follow the stream's stated " + meta.sizeBytes() + " bytes");
            }
            return new SnapshotFileStatus(file, meta, fileBytes, keys, sessions, checksumOk, problem);
        }
    }

    public JsonObject toJson() {
        JsonArray members = new JsonArray();
        meta.config().members().forEach(id -> members.add(id.value()));
        JsonObject json = new JsonObject()
                .put("file", file.toString())
                .put("id", meta.id())
                .put("index", meta.lastIncludedIndex())
                .put("term", meta.lastIncludedTerm())
                .put("members", members)
                .put("kind", meta.kind().name().toLowerCase(java.util.Locale.ROOT))
                .put("keys", keys)
                .put("sessions", sessions)
                .put("sizeBytes", meta.sizeBytes())
                .put("fileBytes", fileBytes)
                .put("checksum", String.format("%08x", meta.checksum()))
                .put("checksumOk", checksumOk)
                .put("ok", ok());
        problem.ifPresent(p -> json.put("problem", p));
        return json;
    }

    /** At most {@code limit} bytes of the stream under it, counting them. */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        long read;

        Bounded(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            if (read >= limit) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read >= limit) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, limit - read));
            if (n > 0) {
                read += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[8192];
            long skipped = 0;
            int r;
            while (skipped < n && (r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped))) > 0) {
                skipped += r;
            }
            return skipped;
        }

        @Override
        public void close() {
            // the caller closes the file
        }
    }
}
