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
 * </pre>
 *
 * Every message body starts with {@code from, to, term}; the fields that follow are the record's
 * components in declaration order. Type codes are part of the format: never reuse one.
 */
public final class WireFormat {

    /** 2: AppendReply carries the prevLogIndex it answers (issue 15). */
    public static final byte VERSION = 2;

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
    /** The first frame on a TCP connection: who is connecting, and to whom. */
    public static final byte HELLO = 100;

    /** Smallest encoded entry: index, term, kind and payload size. */
    static final int ENTRY_FIXED_BYTES = 8 + 8 + 1 + 4;

    private WireFormat() {
    }
}
