package io.raftkit.kv.wire;

import io.raftkit.kv.KvValue;
import java.util.Objects;

/**
 * One request of the binary client protocol ({@link WireCodec}).
 *
 * @param id        the client's number for this request on its connection; the answer carries it
 * @param clientId  the session (thesis §6.3) of a write, 0 for none; reads carry none
 * @param sequence  the write's sequence in its session, 0 for none
 * @param expected  for a compare-and-set, the value the key must hold; null when it must be absent,
 *                  and for other operations
 * @param value     for a put or a compare-and-set, the new value; else null
 */
public record WireRequest(WireOp op, int id, long clientId, long sequence, String key, KvValue expected, KvValue value) {

    public WireRequest {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        if ((op == WireOp.PUT || op == WireOp.CAS) != (value != null)) {
            throw new IllegalArgumentException(op + " " + (value == null ? "needs" : "takes no") + " value");
        }
        if (expected != null && op != WireOp.CAS) {
            throw new IllegalArgumentException(op + " takes no expected value");
        }
        if (!op.isWrite() && (clientId != 0 || sequence != 0)) {
            throw new IllegalArgumentException("a read carries no session");
        }
    }
}
