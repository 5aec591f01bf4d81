package io.raftkit.storage.mapdb;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The {@code snapshot-<id>.meta} file: what one stored snapshot is (its {@link SnapshotMeta}, the
 * cluster it belongs to) and the length and CRC32C of each of its data files. Written last, through
 * a forced temporary file and a rename: a snapshot exists exactly when its meta file does, and its
 * data files are checked against it before they are trusted.
 *
 * <pre>
 * magic:i64 "RKSNAPMF" version:i32 (2) cluster:str id:str lastIncludedIndex:i64 lastIncludedTerm:i64
 * kind:u8 sizeBytes:i64 checksum:i64 configLength:i32 config:bytes
 * fileCount:i32 { name:str length:i64 crc32c:i64 }* crc32c:i32 (of everything before it)
 * str = length:i32 UTF-8 bytes; config = ClusterConfig.encode(), a CONFIGURATION entry's payload
 * </pre>
 *
 * <p>Version 1 held voters and learners only ({@code voterCount:i32 voter:str* learnerCount:i32
 * learner:str*} in place of the config): a snapshot taken during a joint membership change lost its
 * outgoing voters, and run-time members their addresses, so a node restarted from it counted the
 * wrong quorum. Version 1 files are still read (their configurations cannot have been joint: they
 * predate membership changes).
 */
final class SnapshotMetaFile {

    static final int VERSION = 2;
    private static final int VERSION_VOTERS_LEARNERS = 1;
    private static final long MAGIC = 0x524B_534E_4150_4D46L; // "RKSNAPMF"
    private static final int MAX_BYTES = 1 << 20;

    /** One data file of a snapshot: its name in the snapshot directory, length and CRC32C. */
    record DataFile(String name, long length, long crc32c) {
    }

    /** What the meta file holds. */
    record Contents(String clusterId, SnapshotMeta meta, List<DataFile> files) {
    }

    private SnapshotMetaFile() {
    }

    static byte[] encode(Contents c) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            SnapshotMeta m = c.meta();
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            string(out, c.clusterId());
            string(out, m.id());
            out.writeLong(m.lastIncludedIndex());
            out.writeLong(m.lastIncludedTerm());
            out.writeByte(m.kind().code());
            out.writeLong(m.sizeBytes());
            out.writeLong(m.checksum());
            byte[] config = m.config().encode();
            out.writeInt(config.length);
            out.write(config);
            out.writeInt(c.files().size());
            for (DataFile f : c.files()) {
                string(out, f.name());
                out.writeLong(f.length());
                out.writeLong(f.crc32c());
            }
            out.flush();
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError("writing to memory", e);
        }
    }

    /** Decodes a meta file's bytes; anything wrong is an {@link InvalidSnapshotException} naming {@code file}. */
    static Contents decode(Path file, byte[] raw) throws InvalidSnapshotException {
        if (raw.length < 16) {
            throw damaged(file, "it has " + raw.length + " bytes, too few for a snapshot meta file (truncated?)");
        }
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, raw.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(raw, raw.length - 4, 4).getInt()) {
            throw damaged(file, "it fails its CRC32C checksum");
        }
        ByteBuffer in = ByteBuffer.wrap(raw, 0, raw.length - 4);
        try {
            if (in.getLong() != MAGIC) {
                throw damaged(file, "it does not start with a RaftKit snapshot meta header");
            }
            int version = in.getInt();
            if (version != VERSION && version != VERSION_VOTERS_LEARNERS) {
                throw damaged(file, "format version " + version + ", this build reads " + VERSION_VOTERS_LEARNERS
                        + " and " + VERSION);
            }
            String cluster = string(in);
            String id = string(in);
            long index = in.getLong();
            long term = in.getLong();
            SnapshotKind kind = SnapshotKind.ofCode(in.get() & 0xff);
            long size = in.getLong();
            long checksum = in.getLong();
            ClusterConfig config;
            if (version == VERSION_VOTERS_LEARNERS) {
                TreeSet<NodeId> voters = ids(in);
                config = new ClusterConfig(voters, ids(in));
            } else {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw damaged(file, "its configuration of " + length + " bytes does not fit in the " + in.remaining() + " left");
                }
                byte[] encoded = new byte[length];
                in.get(encoded);
                config = ClusterConfig.decode(encoded);
            }
            int fileCount = in.getInt();
            if (fileCount < 0 || fileCount > 16) {
                throw damaged(file, "it lists " + fileCount + " data files");
            }
            List<DataFile> files = new ArrayList<>();
            for (int i = 0; i < fileCount; i++) {
                files.add(new DataFile(string(in), in.getLong(), in.getLong()));
            }
            if (in.hasRemaining()) {
                throw damaged(file, in.remaining() + " bytes follow its last field");
            }
            SnapshotMeta meta = new SnapshotMeta(id, index, term, config, kind, size, checksum);
            return new Contents(cluster, meta, List.copyOf(files));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw damaged(file, "it is malformed (" + e + ")");
        }
    }

    static int maxBytes() {
        return MAX_BYTES;
    }

    private static TreeSet<NodeId> ids(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > in.remaining()) {
            throw new IllegalArgumentException("member count " + count);
        }
        TreeSet<NodeId> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(NodeId.of(string(in)));
        }
        return ids;
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("string length " + length);
        }
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static InvalidSnapshotException damaged(Path file, String problem) {
        return new InvalidSnapshotException("snapshot meta file " + file + " is damaged: " + problem);
    }
}
