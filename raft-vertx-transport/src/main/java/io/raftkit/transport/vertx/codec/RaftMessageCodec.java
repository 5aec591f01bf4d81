package io.raftkit.transport.vertx.codec;

import static io.raftkit.transport.vertx.codec.WireFormat.*;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.EntryKind;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.message.InstallSnapshotReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.ReadIndexReply;
import io.raftkit.api.message.ReadIndexRequest;
import io.raftkit.api.message.ReadRoundAck;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.message.VoteReply;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Hand-written binary encoding of every {@link RaftMessage} (layout in {@link WireFormat}). Chosen
 * over JSON by the JMH figures in docs/bench/transport.md: fixed-width fields and raw payload bytes
 * decode several times faster and need no text escaping of payloads.
 *
 * <p>Decoding is defensive: every length is checked against the bytes actually present before
 * anything is allocated, and values the core relies on (non-negative terms and indexes, consecutive
 * entry indexes, known entry kinds, valid node ids) are verified, so garbage raises
 * {@link MalformedFrameException} instead of reaching the core. Thread-safe and immutable.
 */
public final class RaftMessageCodec {

    private final NodeId[] knownIds;
    private final byte[][] knownIdBytes;

    /** @param knownIds the cluster's members, decoded without allocation; other valid ids still decode */
    public RaftMessageCodec(Collection<NodeId> knownIds) {
        this.knownIds = knownIds.toArray(NodeId[]::new);
        this.knownIdBytes = new byte[this.knownIds.length][];
        for (int i = 0; i < this.knownIds.length; i++) {
            knownIdBytes[i] = this.knownIds[i].value().getBytes(StandardCharsets.US_ASCII);
        }
    }

    // ---------------------------------------------------------------- encoding

    /** Bytes the whole frame of {@code m} takes, length prefix included. */
    public static int frameSize(RaftMessage m) {
        return LENGTH_BYTES + HEADER_BYTES + bodySize(m);
    }

    /** Appends one complete frame (length, version, type, body) for {@code m} to {@code out}. */
    public static void writeFrame(RaftMessage m, Buffer out) {
        out.appendInt(HEADER_BYTES + bodySize(m));
        out.appendByte(VERSION);
        out.appendByte(typeOf(m));
        writeBody(m, out);
    }

    private static int idSize(NodeId id) {
        return 1 + id.value().length();
    }

    private static int bodySize(RaftMessage m) {
        int common = idSize(m.from()) + idSize(m.to()) + 8;
        if (m instanceof AppendEntries a) {
            int size = common + 8 + 8 + 8 + 8 + 4;
            for (LogEntry e : a.entries()) {
                size += ENTRY_FIXED_BYTES + e.payload().length;
            }
            return size;
        } else if (m instanceof AppendReply) {
            return common + 1 + 8 + 8 + 8 + 8 + 8;
        } else if (m instanceof ReadRoundAck) {
            return common + 8;
        } else if (m instanceof RequestVote) {
            return common + 8 + 8 + 1 + 1;
        } else if (m instanceof VoteReply) {
            return common + 1 + 1;
        } else if (m instanceof TimeoutNow) {
            return common;
        } else if (m instanceof ReadIndexRequest) {
            return common + 8;
        } else if (m instanceof ReadIndexReply) {
            return common + 8 + 1 + 8;
        } else if (m instanceof InstallSnapshot s) {
            return common + snapshotSize(s.snapshot()) + 8 + 1 + 4 + s.data().length;
        } else if (m instanceof InstallSnapshotReply r) {
            return common + 1 + r.snapshotId().length() + 8 + 8 + 1;
        }
        throw new AssertionError("unhandled " + m);
    }

    private static int snapshotSize(SnapshotMeta s) {
        return 1 + s.id().length() + 8 + 8 + 4 + s.config().encode().length + 1 + 8 + 8;
    }

    private static byte typeOf(RaftMessage m) {
        if (m instanceof AppendEntries) {
            return APPEND_ENTRIES;
        } else if (m instanceof AppendReply) {
            return APPEND_REPLY;
        } else if (m instanceof ReadRoundAck) {
            return READ_ROUND_ACK;
        } else if (m instanceof RequestVote) {
            return REQUEST_VOTE;
        } else if (m instanceof VoteReply) {
            return VOTE_REPLY;
        } else if (m instanceof TimeoutNow) {
            return TIMEOUT_NOW;
        } else if (m instanceof ReadIndexRequest) {
            return READ_INDEX_REQUEST;
        } else if (m instanceof ReadIndexReply) {
            return READ_INDEX_REPLY;
        } else if (m instanceof InstallSnapshot) {
            return INSTALL_SNAPSHOT;
        } else if (m instanceof InstallSnapshotReply) {
            return INSTALL_SNAPSHOT_REPLY;
        }
        throw new AssertionError("unhandled " + m);
    }

    private static void writeBody(RaftMessage m, Buffer out) {
        writeId(m.from(), out);
        writeId(m.to(), out);
        out.appendLong(m.term());
        if (m instanceof AppendEntries a) {
            out.appendLong(a.prevLogIndex()).appendLong(a.prevLogTerm())
                    .appendLong(a.leaderCommit()).appendLong(a.readRound())
                    .appendInt(a.entries().size());
            for (LogEntry e : a.entries()) {
                out.appendLong(e.index()).appendLong(e.term()).appendByte((byte) e.kind().code())
                        .appendInt(e.payload().length).appendBytes(e.payload());
            }
        } else if (m instanceof AppendReply r) {
            out.appendByte(bit(r.success())).appendLong(r.matchIndex()).appendLong(r.conflictTerm())
                    .appendLong(r.conflictIndex()).appendLong(r.readRound()).appendLong(r.prevLogIndex());
        } else if (m instanceof ReadRoundAck a) {
            out.appendLong(a.readRound());
        } else if (m instanceof RequestVote v) {
            out.appendLong(v.lastLogIndex()).appendLong(v.lastLogTerm())
                    .appendByte(bit(v.preVote())).appendByte(bit(v.leadershipTransfer()));
        } else if (m instanceof VoteReply v) {
            out.appendByte(bit(v.granted())).appendByte(bit(v.preVote()));
        } else if (m instanceof TimeoutNow) {
            return; // the common fields are the whole message
        } else if (m instanceof ReadIndexRequest r) {
            out.appendLong(r.requestId());
        } else if (m instanceof ReadIndexReply r) {
            out.appendLong(r.requestId()).appendByte(bit(r.ok())).appendLong(r.readIndex());
        } else if (m instanceof InstallSnapshot s) {
            writeSnapshot(s.snapshot(), out);
            out.appendLong(s.offset()).appendByte(bit(s.done())).appendInt(s.data().length).appendBytes(s.data());
        } else if (m instanceof InstallSnapshotReply r) {
            writeAscii(r.snapshotId(), out);
            out.appendLong(r.lastIncludedIndex()).appendLong(r.nextOffset()).appendByte(bit(r.installed()));
        } else {
            throw new AssertionError("unhandled " + m);
        }
    }

    private static void writeId(NodeId id, Buffer out) {
        writeAscii(id.value(), out); // NodeId admits ASCII only
    }

    /** A size byte and the characters of an ASCII string of 1 to 64 characters (a node id, a snapshot id). */
    private static void writeAscii(String value, Buffer out) {
        out.appendByte((byte) value.length());
        for (int i = 0; i < value.length(); i++) {
            out.appendByte((byte) value.charAt(i));
        }
    }

    private static void writeSnapshot(SnapshotMeta s, Buffer out) {
        writeAscii(s.id(), out);
        out.appendLong(s.lastIncludedIndex()).appendLong(s.lastIncludedTerm());
        // The configuration in the log's own encoding (a CONFIGURATION entry's payload): a joint
        // configuration and run-time members' addresses must reach a node that installs the snapshot.
        byte[] config = s.config().encode();
        out.appendInt(config.length).appendBytes(config);
        out.appendByte((byte) s.kind().code()).appendLong(s.sizeBytes()).appendLong(s.checksum());
    }

    private static byte bit(boolean b) {
        return b ? (byte) 1 : (byte) 0;
    }

    // ---------------------------------------------------------------- decoding

    /**
     * The type code of the frame whose version byte is at {@code start}, after checking the version.
     */
    public static byte typeAt(Buffer frame, int start, int end) throws MalformedFrameException {
        if (end - start < HEADER_BYTES) {
            throw new MalformedFrameException("truncated frame: " + (end - start) + " bytes, no room for version and type");
        }
        byte version = frame.getByte(start);
        if (version != VERSION) {
            throw new MalformedFrameException("unsupported frame format version " + version + " (this node speaks " + VERSION + ")");
        }
        return frame.getByte(start + 1);
    }

    /** Decodes one Raft message frame spanning {@code [start, end)} (from the version byte on). */
    public RaftMessage decode(Buffer frame, int start, int end) throws MalformedFrameException {
        byte type = typeAt(frame, start, end);
        if (type >= HELLO_WITHOUT_CLUSTER) {
            throw new MalformedFrameException("unexpected handshake frame (type " + type + ") after the handshake");
        }
        if (type < REQUEST_VOTE || type > LAST_MESSAGE_TYPE) {
            throw new MalformedFrameException("unknown message type " + type);
        }
        FrameReader in = new FrameReader(frame, start + HEADER_BYTES, end);
        NodeId from = readId(in, "from");
        NodeId to = readId(in, "to");
        long term = in.readCount("term");
        RaftMessage m = decodeBody(type, from, to, term, in);
        in.expectEnd();
        return m;
    }

    private RaftMessage decodeBody(byte type, NodeId from, NodeId to, long term, FrameReader in)
            throws MalformedFrameException {
        switch (type) {
            case APPEND_ENTRIES:
                return decodeAppendEntries(from, to, term, in);
            case APPEND_REPLY:
                return new AppendReply(from, to, term, in.readBoolean("success"), in.readCount("matchIndex"),
                        in.readCount("conflictTerm"), in.readCount("conflictIndex"), in.readCount("readRound"),
                        in.readCount("prevLogIndex"));
            case READ_ROUND_ACK:
                return new ReadRoundAck(from, to, term, in.readCount("readRound"));
            case REQUEST_VOTE:
                return new RequestVote(from, to, term, in.readCount("lastLogIndex"), in.readCount("lastLogTerm"),
                        in.readBoolean("preVote"), in.readBoolean("leadershipTransfer"));
            case VOTE_REPLY:
                return new VoteReply(from, to, term, in.readBoolean("granted"), in.readBoolean("preVote"));
            case TIMEOUT_NOW:
                return new TimeoutNow(from, to, term);
            case READ_INDEX_REQUEST:
                return new ReadIndexRequest(from, to, term, in.readLong("requestId"));
            case READ_INDEX_REPLY:
                return new ReadIndexReply(from, to, term, in.readLong("requestId"), in.readBoolean("ok"),
                        in.readCount("readIndex"));
            case INSTALL_SNAPSHOT: {
                SnapshotMeta snapshot = readSnapshot(in);
                long offset = in.readCount("offset");
                boolean done = in.readBoolean("done");
                byte[] data = in.readBytes(in.readInt("data size"), "snapshot data");
                try {
                    return new InstallSnapshot(from, to, term, snapshot, offset, data, done);
                } catch (IllegalArgumentException e) {
                    throw new MalformedFrameException("InstallSnapshot: " + e.getMessage());
                }
            }
            case INSTALL_SNAPSHOT_REPLY: {
                String id = readSnapshotId(in);
                return new InstallSnapshotReply(from, to, term, id, in.readCount("lastIncludedIndex"),
                        in.readCount("nextOffset"), in.readBoolean("installed"));
            }
            default:
                throw new MalformedFrameException("unknown message type " + type);
        }
    }

    private AppendEntries decodeAppendEntries(NodeId from, NodeId to, long term, FrameReader in)
            throws MalformedFrameException {
        long prevLogIndex = in.readCount("prevLogIndex");
        long prevLogTerm = in.readCount("prevLogTerm");
        long leaderCommit = in.readCount("leaderCommit");
        long readRound = in.readCount("readRound");
        int count = in.readInt("entry count");
        // Checked against the bytes present before sizing the list: a forged count cannot allocate.
        if (count < 0 || (long) count * ENTRY_FIXED_BYTES > in.remaining()) {
            throw new MalformedFrameException("entry count " + count + " does not fit in the "
                    + in.remaining() + " bytes left");
        }
        List<LogEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long index = in.readLong("entry index");
            // §5.3: AppendEntries carries the entries immediately following prevLogIndex.
            if (index != prevLogIndex + 1 + i) {
                throw new MalformedFrameException("entry " + i + " has index " + index + ", expected "
                        + (prevLogIndex + 1 + i));
            }
            long entryTerm = in.readLong("entry term");
            if (entryTerm < 1 || entryTerm > term) {
                throw new MalformedFrameException("entry " + index + " has term " + entryTerm
                        + ", outside 1.." + term);
            }
            EntryKind kind = kindOf(in.readByte("entry kind"));
            byte[] payload = in.readBytes(in.readInt("entry size"), "entry payload");
            entries.add(new LogEntry(index, entryTerm, kind, payload));
        }
        return new AppendEntries(from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, readRound);
    }

    private static EntryKind kindOf(byte code) throws MalformedFrameException {
        for (EntryKind kind : EntryKind.values()) {
            if (kind.code() == code) {
                return kind;
            }
        }
        throw new MalformedFrameException("unknown entry kind " + code);
    }

    private static String readSnapshotId(FrameReader in) throws MalformedFrameException {
        int size = in.readByte("snapshot id size") & 0xff;
        if (size < 1 || size > 64) {
            throw new MalformedFrameException("snapshot id size " + size + " is outside 1..64");
        }
        String id = new String(in.readBytes(size, "snapshot id"), StandardCharsets.ISO_8859_1);
        if (!SnapshotMeta.ID_PATTERN.matcher(id).matches() || id.startsWith(".")) {
            throw new MalformedFrameException("snapshot id is not 1 to 64 characters of [A-Za-z0-9._-] (not starting with a dot)");
        }
        return id;
    }

    private SnapshotMeta readSnapshot(FrameReader in) throws MalformedFrameException {
        String id = readSnapshotId(in);
        long lastIncludedIndex = in.readCount("lastIncludedIndex");
        long lastIncludedTerm = in.readCount("lastIncludedTerm");
        byte[] configBytes = in.readBytes(in.readInt("configuration size"), "configuration");
        int kindCode = in.readByte("snapshot kind") & 0xff;
        long sizeBytes = in.readCount("snapshot size");
        long checksum = in.readCount("snapshot checksum");
        try {
            return new SnapshotMeta(id, lastIncludedIndex, lastIncludedTerm, ClusterConfig.decode(configBytes),
                    SnapshotKind.ofCode(kindCode), sizeBytes, checksum);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("InstallSnapshot: " + e.getMessage());
        }
    }

    private NodeId readId(FrameReader in, String what) throws MalformedFrameException {
        int size = in.readByte(what) & 0xff;
        if (size < 1 || size > 64) {
            throw new MalformedFrameException(what + " node id size " + size + " is outside 1..64");
        }
        for (int i = 0; i < knownIdBytes.length; i++) {
            if (knownIdBytes[i].length == size && in.nextBytesEqual(knownIdBytes[i])) {
                in.skip(size);
                return knownIds[i];
            }
        }
        String value = new String(in.readBytes(size, what), StandardCharsets.ISO_8859_1);
        try {
            return NodeId.of(value);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(what + ": " + e.getMessage());
        }
    }
}
