package io.raftkit.kv.wire;

/** The operations of the binary client protocol, with their code on the wire and their name in the JSON API. */
public enum WireOp {
    PUT(1, "put"),
    DELETE(2, "delete"),
    CAS(3, "cas"),
    /** A linearizable read (ReadIndex, thesis §6.4), served by the leader. */
    GET(4, "get"),
    /** The answering node's state as it is: possibly stale. */
    GET_STALE(5, "get_stale");

    private final int code;
    private final String label;

    WireOp(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() {
        return code;
    }

    /** The operation's name in metrics and in the JSON API's answers. */
    public String label() {
        return label;
    }

    public boolean isWrite() {
        return this == PUT || this == DELETE || this == CAS;
    }

    /** The op of a code; null for a code no op has. */
    static WireOp of(int code) {
        for (WireOp op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }
}
