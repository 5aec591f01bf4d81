package io.raftkit.transport.vertx.codec;

/**
 * The frame layout shared by the TCP transport and the event-bus codec.
 *
 * <pre>
 * frame  = length:int32  version:int8  type:int8  body
 *          (length counts version, type and body; it is checked against the limit before
 *           anything is allocated for the body)
 * nodeId = size:int8 (1..64)  ascii bytes
 * entry  = index:int64  term:int64  kind:int8  size:int32  payload
 * snapshot = id:size:int8 (1..64) ascii  lastIncludedIndex:int64  lastIncludedTerm:int64  config
 *            kind:int8  sizeBytes:int64  checksum:int64 (a CRC32C, 0..2^32-1)
 * config = voterCount:int32 (1..)  nodeId*  learnerCount:int32  nodeId*
 * InstallSnapshot      body = snapshot  offset:int64  done:int8  size:int32  data
 * InstallSnapshotReply body = id  lastIncludedIndex:int64  nextOffset:int64  installed:int8
 * </pre>
 *
 * Every message body starts with {@code from, to, term}; the fields that follow are the record's
 * components in declaration order. Type codes are part of the format: never reuse one.
 *
 * <p>A TCP connection opens with a handshake ({@link HandshakeCodec}), every frame of which is at
 * most {@link #MAX_HANDSHAKE_FRAME_BYTES} long:
 *
 * <pre>
 * dialer   HELLO     clusterId:str8  from:nodeId  to:nodeId  nonceSize:int8 (0 or 32)  nonce
 * acceptor CHALLENGE nonce[32]  proof[32]     only when the acceptor holds a peer secret
 * dialer   PROOF     proof[32]                answers a CHALLENGE
 * acceptor ACCEPTED  (empty)                  the acceptor reads Raft messages from now on;
 *                                             nothing more comes back on this connection
 * acceptor REFUSED   reason:int8              then the acceptor closes the connection
 * </pre>
 *
 * The dialer sends its Raft messages right behind its last handshake frame (the hello without a
 * secret, the proof with one), without waiting for ACCEPTED.
 *
 * <pre>
 * str8 = size:int8 (1..255)  UTF-8 bytes
 * </pre>
 */
public final class WireFormat {

    /**
     * 2: AppendReply carries the prevLogIndex it answers (issue 15). 3: InstallSnapshot carries the
     * snapshot's id, configuration, kind, size and checksum, and its reply the id, the next offset
     * and whether it is installed (issue 16). 4: InstallSnapshot's configuration is the log's
     * encoding of it (ClusterConfig.encode), joint configurations and run-time addresses included
     * (issue 17).
     */
    public static final byte VERSION = 4;

    /** Bytes of the length prefix. */
    public static final int LENGTH_BYTES = 4;
    /** Bytes of version and type, counted by the length prefix. */
    public static final int HEADER_BYTES = 2;

    public static final byte REQUEST_VOTE = 1;
    public static final byte VOTE_REPLY = 2;
    public static final byte APPEND_ENTRIES = 3;
    public static final byte APPEND_REPLY = 4;
    public static final byte TIMEOUT_NOW = 5;
    public static final byte READ_INDEX_REQUEST = 6;
    public static final byte READ_INDEX_REPLY = 7;
    public static final byte INSTALL_SNAPSHOT = 8;
    public static final byte INSTALL_SNAPSHOT_REPLY = 9;
    public static final byte READ_ROUND_ACK = 10;
    /** The highest message type code; a new type moves it. */
    static final byte LAST_MESSAGE_TYPE = READ_ROUND_ACK;
    /**
     * Retired: the hello of RaftKit up to 2dc2366, which named no cluster and expected no answer.
     * Kept so a node of that version is refused with a message that says so.
     */
    public static final byte HELLO_WITHOUT_CLUSTER = 100;
    /** The first frame on a TCP connection: which cluster, who is connecting, and to whom. */
    public static final byte HELLO = 101;
    /** The acceptor's nonce and its proof of the peer secret. */
    public static final byte CHALLENGE = 102;
    /** The dialer's proof of the peer secret. */
    public static final byte PROOF = 103;
    /** The acceptor admits the dialer: Raft messages may follow. */
    public static final byte ACCEPTED = 104;
    /** The acceptor refuses the dialer, with a reason code ({@link Refusal}). */
    public static final byte REFUSED = 105;

    /**
     * The longest handshake frame, length prefix excluded: all a stranger can make a node buffer
     * before it has named itself. A hello is at most 2 + 256 + 65 + 65 + 33 = 421 bytes.
     */
    public static final int MAX_HANDSHAKE_FRAME_BYTES = 512;
    /** Bytes of a handshake nonce (fresh from SecureRandom for every connection). */
    public static final int NONCE_BYTES = 32;
    /** Bytes of a proof (HMAC-SHA256). */
    public static final int PROOF_BYTES = 32;

    /** Smallest encoded entry: index, term, kind and payload size. */
    static final int ENTRY_FIXED_BYTES = 8 + 8 + 1 + 4;

    private WireFormat() {
    }
}
