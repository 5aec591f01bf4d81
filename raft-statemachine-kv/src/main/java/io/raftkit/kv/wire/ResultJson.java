package io.raftkit.kv.wire;

import io.raftkit.kv.KvValue;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * The JSON API's object for a result, built in one place for the server's HTTP answers and for
 * {@code KvClient}, which shows answers that came over the binary protocol in the same form. A
 * value that is UTF-8 is {@code "value"}; one that is not (written through the binary protocol) is
 * {@code "valueBase64"}, so it is never altered on the way out.
 */
public final class ResultJson {

    private ResultJson() {
    }

    /** @param flags the {@link WireResponse} flags: duplicate, value forgotten, cas failed */
    public static JsonObject of(WireOp op, String key, KvValue value, long version, long createIndex, long modIndex,
                                long index, int flags) {
        JsonObject json = new JsonObject().put("key", key);
        putValue(json, value);
        json.put("version", version).put("createIndex", createIndex).put("modIndex", modIndex).put("index", index);
        if ((flags & WireResponse.DUPLICATE) != 0) {
            json.put("duplicate", true); // a retry's answer, as first given (thesis §6.3)
        }
        if ((flags & WireResponse.VALUE_FORGOTTEN) != 0) {
            json.put("valueForgotten", true); // the value the failed comparison saw is no longer known
        }
        if (op == WireOp.CAS) {
            json.put("succeeded", (flags & WireResponse.CAS_FAILED) == 0);
        } else if (op == WireOp.DELETE) {
            json.put("deleted", true);
        }
        return json;
    }

    /** {@code "value"}: the text, or null when absent; {@code "valueBase64"} instead for bytes that are not UTF-8. */
    public static void putValue(JsonObject json, KvValue value) {
        if (value == null) {
            json.putNull("value");
            return;
        }
        Optional<String> text = value.utf8();
        if (text.isPresent()) {
            json.put("value", text.get());
        } else {
            json.put("valueBase64", value.base64());
        }
    }
}
