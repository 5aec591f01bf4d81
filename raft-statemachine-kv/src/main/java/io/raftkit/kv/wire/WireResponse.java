package io.raftkit.kv.wire;

import io.raftkit.kv.KvValue;
import java.util.Objects;

/**
 * One answer of the binary client protocol: either a result (status 200: the operation was applied,
 * or read, or a compare-and-set found another value) or an error whose body is the JSON API's
 * error object, byte for byte ({@code {"error","message","outcome",...}}).
 *
 * @param value      a result's value, null when the key is absent or the value is not known
 * @param errorJson  an error's JSON body (UTF-8); null for a result
 */
public record WireResponse(int id, int status, int flags, long version, long createIndex, long modIndex, long index,
                           KvValue value, byte[] errorJson) {

    /** The retry of a write that was already applied: this is the first application's answer (thesis §6.3). */
    public static final int DUPLICATE = 1;
    /** A retried failed compare-and-set whose key changed since: the value it saw is no longer known. */
    public static final int VALUE_FORGOTTEN = 2;
    /** A compare-and-set whose expectation did not hold; the value and version are the key's. */
    public static final int CAS_FAILED = 4;

    public static WireResponse result(int id, int flags, long version, long createIndex, long modIndex, long index, KvValue value) {
        return new WireResponse(id, 200, flags, version, createIndex, modIndex, index, value, null);
    }

    public static WireResponse error(int id, int status, byte[] errorJson) {
        return new WireResponse(id, status, 0, 0, 0, 0, 0, null, Objects.requireNonNull(errorJson, "errorJson"));
    }

    public boolean isError() {
        return errorJson != null;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
