package io.raftkit.transport.vertx.codec;

/**
 * Why an acceptor refused a dialer, sent as one byte so the dialer's operator learns it too. The
 * codes are part of the wire format: never reuse one. Nothing here is secret: cluster and node ids
 * are names, not credentials (docs/security.md).
 */
public enum Refusal {
    WRONG_CLUSTER(1, "it belongs to another cluster"),
    NOT_A_MEMBER(2, "its node id is not a member of this cluster"),
    WRONG_NODE(3, "it meant to reach another node at this address"),
    SECRET_REQUIRED(4, "this node requires the peer secret and the dialer offered none"),
    BAD_PROOF(5, "its proof of the peer secret is wrong (the secrets differ)"),
    CERTIFICATE(6, "its TLS certificate does not name it in this cluster"),
    PROTOCOL(7, "it broke the handshake protocol");

    private final int code;
    private final String meaning;

    Refusal(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    /** The reason, said of the dialer ("it belongs to another cluster"). */
    public String meaning() {
        return meaning;
    }

    static Refusal of(int code) throws MalformedFrameException {
        for (Refusal r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new MalformedFrameException("unknown refusal code " + code);
    }
}
