package io.raftkit.kv.snapshot;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A snapshot backup file, what {@code raft-kv snapshot save} writes, {@code GET /v1/snapshot}
 * sends and {@code snapshot status} and {@code snapshot restore} read: the snapshot's metadata,
 * then its transfer stream exactly as a store gives it ({@link io.raftkit.api.spi.SnapshotStore#openStream})
 * and takes it ({@link io.raftkit.api.spi.SnapshotStore#receive}):
 *
 * <pre>
 * RAFTKIT-SNAPSHOT 1\n
 * {"id":..,"lastIncludedIndex":..,"lastIncludedTerm":..,"voters":[..],"learners":[..],
 *  "votersOutgoing":[..] (only while joint), "addresses":{id: address} (only for run-time members),
 *  "kind":"records","sizeBytes":..,"checksum":"8 hex digits"}\n
 * the transfer stream: sizeBytes bytes whose CRC32C is checksum ({@link io.raftkit.api.snapshot.SnapshotStreamFormat})
 * </pre>
 * The header is text so {@code head -2 FILE} shows what a file is. The stream's checksum covers
 * every byte of the state; the header is checked by parsing it (and a damaged index, size or
 * checksum no longer matches the stream), and nothing may follow the stream.
 */
public final class SnapshotFile {

    public static final String MAGIC_LINE = "RAFTKIT-SNAPSHOT 1";
    /** A header line longer than this is not a header: stop before reading a whole file into memory. */
    static final int MAX_HEADER_LINE_BYTES = 64 * 1024;
    public static final String CONTENT_TYPE = "application/vnd.raftkit.snapshot";

    private SnapshotFile() {
    }

    /** The two header lines for {@code meta}. */
    public static byte[] header(SnapshotMeta meta) {
        return (MAGIC_LINE + "\n" + metaJson(meta).encode() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The header's JSON line, also what {@code POST /v1/snapshot} answers. */
    public static JsonObject metaJson(SnapshotMeta meta) {
        JsonObject json = new JsonObject()
                .put("id", meta.id())
                .put("lastIncludedIndex", meta.lastIncludedIndex())
                .put("lastIncludedTerm", meta.lastIncludedTerm())
                .put("voters", ids(meta.config().voters()))
                .put("learners", ids(meta.config().learners()))
                .put("kind", meta.kind().name().toLowerCase(Locale.ROOT))
                .put("sizeBytes", meta.sizeBytes())
                .put("checksum", String.format("%08x", meta.checksum()));
        // A snapshot taken during a membership change: its outgoing voters and the addresses of
        // members added at run time are part of its configuration (absent from files before them).
        if (meta.config().isJoint()) {
            json.put("votersOutgoing", ids(meta.config().votersOutgoing()));
        }
        if (!meta.config().addresses().isEmpty()) {
            JsonObject addresses = new JsonObject();
            meta.config().addresses().forEach((id, address) -> addresses.put(id.value(), address));
            json.put("addresses", addresses);
        }
        return json;
    }

    /** Writes the header and then copies exactly {@code meta.sizeBytes()} bytes of {@code stream}. */
    public static void write(OutputStream out, SnapshotMeta meta, InputStream stream) throws IOException {
        out.write(header(meta));
        long copied = copy(stream, out, meta.sizeBytes());
        if (copied != meta.sizeBytes()) {
            throw new IOException("snapshot " + meta.id() + ": its stream ended after " + copied + " of "
                    + meta.sizeBytes() + " bytes");
        }
    }

    /** Reads the header, leaving {@code in} at the first byte of the transfer stream. */
    public static SnapshotMeta readHeader(InputStream in, String source) throws IOException {
        String magic = line(in, source, "first");
        if (!magic.equals(MAGIC_LINE)) {
            throw new InvalidSnapshotException(source + " is not a RaftKit snapshot file: it should start with the line '"
                    + MAGIC_LINE + "'" + (magic.startsWith("RAFTKIT-SNAPSHOT") ? " (it is '" + abbreviate(magic) + "')" : ""));
        }
        String text = line(in, source, "second");
        try {
            JsonObject json = new JsonObject(text);
            java.util.Map<NodeId, String> addresses = new java.util.TreeMap<>();
            JsonObject given = json.getJsonObject("addresses", new JsonObject());
            for (String id : given.fieldNames()) {
                addresses.put(NodeId.of(id), required(given.getString(id), "addresses." + id));
            }
            ClusterConfig config = new ClusterConfig(nodeIds(json.getJsonArray("voters")), nodeIds(json.getJsonArray("learners", new JsonArray())),
                    nodeIds(json.getJsonArray("votersOutgoing", new JsonArray())), addresses);
            String checksum = json.getString("checksum");
            if (checksum == null || !checksum.matches("[0-9a-f]{8}")) {
                throw new IllegalArgumentException("checksum must be 8 hex digits, was " + checksum);
            }
            return new SnapshotMeta(required(json.getString("id"), "id"), required(json.getLong("lastIncludedIndex"), "lastIncludedIndex"),
                    required(json.getLong("lastIncludedTerm"), "lastIncludedTerm"), config,
                    SnapshotKind.valueOf(required(json.getString("kind"), "kind").toUpperCase(Locale.ROOT)),
                    required(json.getLong("sizeBytes"), "sizeBytes"), Long.parseLong(checksum, 16));
        } catch (DecodeException | ClassCastException | IllegalArgumentException | NullPointerException e) {
            throw new InvalidSnapshotException(source + ": the snapshot header is damaged: " + e.getMessage());
        }
    }

    /** Copies up to {@code limit} bytes; returns how many were copied (fewer when {@code in} ended first). */
    static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (copied < limit) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return value;
    }

    private static JsonArray ids(Set<NodeId> ids) {
        JsonArray array = new JsonArray();
        ids.forEach(id -> array.add(id.value()));
        return array;
    }

    private static Set<NodeId> nodeIds(JsonArray array) {
        Set<NodeId> ids = new TreeSet<>();
        for (int i = 0; i < required(array, "voters").size(); i++) {
            ids.add(NodeId.of(array.getString(i)));
        }
        return ids;
    }

    private static String line(InputStream in, String source, String which) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new InvalidSnapshotException(source + " ends inside its " + which + " header line"
                        + (bytes.size() == 0 ? " (the file is empty or truncated)" : " (truncated)"));
            }
            if (b == '\n') {
                return bytes.toString(StandardCharsets.UTF_8);
            }
            if (bytes.size() >= MAX_HEADER_LINE_BYTES) {
                throw new InvalidSnapshotException(source + " is not a RaftKit snapshot file: its " + which
                        + " line runs past " + MAX_HEADER_LINE_BYTES + " bytes");
            }
            bytes.write(b);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
