package io.raftkit.api;

/** What a log entry carries. The numeric codes are part of the storage and wire formats: never reuse one. */
public enum EntryKind {
    /** A client command for the state machine. */
    COMMAND(0),
    /** Appended by every new leader so it can commit entries of earlier terms (§5.4.2, thesis §6.4). */
    NO_OP(1),
    /** A cluster membership change (thesis §4); the payload is an encoded {@link ClusterConfig}. */
    CONFIGURATION(2);

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static EntryKind ofCode(int code) {
        for (EntryKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown entry kind code " + code + " (known: 0, 1, 2)");
    }
}
