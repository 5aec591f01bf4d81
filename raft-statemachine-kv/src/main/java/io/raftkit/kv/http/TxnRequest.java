package io.raftkit.kv.http;

import io.raftkit.kv.KvTxn;
import io.raftkit.kv.KvValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The JSON body of {@code POST /v1/txn}, read into guards and operations; every refusal names the
 * field by its path ({@code ops[2].value}). The body:
 * <pre>
 * {"guards": [{"key": "a", "value": "1"}, {"key": "b", "version": 3}, {"key": "c", "exists": false}],
 *  "ops":    [{"op": "get", "key": "a"}, {"op": "put", "key": "b", "value": "2"},
 *             {"op": "delete", "key": "c"}, {"op": "append", "key": "l", "value": "x"}]}
 * </pre>
 * A guard gives exactly one of {@code value} (or {@code valueBase64}), {@code version} (0: absent)
 * and {@code exists}. {@code guards} may be left out; {@code ops} is required (it may be empty).
 */
record TxnRequest(List<KvTxn.Guard> guards, List<KvTxn.Op> ops) {

    static TxnRequest parse(JsonObject body, KvService service) throws BadRequest {
        for (String field : body.fieldNames()) {
            if (!field.equals("guards") && !field.equals("ops")) {
                throw new BadRequest("invalid-field", "unknown field '" + field + "'; a transaction has 'guards' and 'ops'");
            }
        }
        JsonArray guardsJson = array(body, "guards", false, KvTxn.MAX_GUARDS);
        JsonArray opsJson = array(body, "ops", true, KvTxn.MAX_OPS);
        List<KvTxn.Guard> guards = new ArrayList<>();
        for (int i = 0; i < guardsJson.size(); i++) {
            guards.add(guard(object(guardsJson, "guards", i), "guards[" + i + "]", service));
        }
        List<KvTxn.Op> ops = new ArrayList<>();
        for (int i = 0; i < opsJson.size(); i++) {
            ops.add(op(object(opsJson, "ops", i), "ops[" + i + "]", service));
        }
        return new TxnRequest(guards, ops);
    }

    private static JsonArray array(JsonObject body, String field, boolean required, int max) throws BadRequest {
        Object raw = body.getValue(field);
        if (raw == null) {
            if (required) {
                throw new BadRequest("missing-field", "field '" + field + "' is required (a JSON array, possibly empty)");
            }
            return new JsonArray();
        }
        if (!(raw instanceof JsonArray array)) {
            throw new BadRequest("invalid-field", "field '" + field + "' must be a JSON array");
        }
        if (array.size() > max) {
            throw new BadRequest("txn-too-large", "field '" + field + "' has " + array.size() + " entries; a transaction has at most " + max);
        }
        return array;
    }

    private static JsonObject object(JsonArray array, String field, int i) throws BadRequest {
        Object raw = array.getValue(i);
        if (!(raw instanceof JsonObject object)) {
            throw new BadRequest("invalid-field", field + "[" + i + "] must be a JSON object");
        }
        return object;
    }

    private static KvTxn.Guard guard(JsonObject json, String path, KvService service) throws BadRequest {
        String key = key(json, path, service);
        int given = (json.containsKey("value") || json.containsKey("valueBase64") ? 1 : 0) + (json.containsKey("version") ? 1 : 0)
                + (json.containsKey("exists") ? 1 : 0);
        if (given != 1) {
            throw new BadRequest("invalid-field", path + " must give exactly one of 'value' (or 'valueBase64'), 'version' and 'exists'");
        }
        if (json.containsKey("version")) {
            Object raw = json.getValue("version");
            if (!(raw instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
                throw new BadRequest("invalid-field", path + ".version must be a whole number, 0 or more (0: the key is absent)");
            }
            return KvTxn.Guard.versionIs(key, n.longValue());
        }
        if (json.containsKey("exists")) {
            if (!(json.getValue("exists") instanceof Boolean exists)) {
                throw new BadRequest("invalid-field", path + ".exists must be true or false");
            }
            return exists ? KvTxn.Guard.exists(key) : KvTxn.Guard.absent(key);
        }
        return KvTxn.Guard.valueIs(key, value(json, path, true, service));
    }

    private static KvTxn.Op op(JsonObject json, String path, KvService service) throws BadRequest {
        Object kind = json.getValue("op");
        if (!(kind instanceof String name)) {
            throw new BadRequest(kind == null ? "missing-field" : "invalid-field", path + ".op is required: \"get\", \"put\", \"delete\" or \"append\"");
        }
        String key = key(json, path, service);
        switch (name) {
            case "get":
                noValue(json, path, name);
                return KvTxn.Op.get(key);
            case "delete":
                noValue(json, path, name);
                return KvTxn.Op.delete(key);
            case "put":
                return KvTxn.Op.put(key, value(json, path, true, service));
            case "append":
                // An element is text: the list is a JSON array of strings.
                return KvTxn.Op.append(key, value(json, path, false, service));
            default:
                throw new BadRequest("invalid-field", path + ".op is '" + name + "'; expected \"get\", \"put\", \"delete\" or \"append\"");
        }
    }

    private static void noValue(JsonObject json, String path, String op) throws BadRequest {
        if (json.containsKey("value") || json.containsKey("valueBase64")) {
            throw new BadRequest("invalid-field", path + ": a " + op + " takes no value");
        }
    }

    private static String key(JsonObject json, String path, KvService service) throws BadRequest {
        Object raw = json.getValue("key");
        if (!(raw instanceof String key)) {
            throw new BadRequest(raw == null ? "missing-field" : "invalid-field", path + ".key is required and must be a string");
        }
        if (key.isEmpty()) {
            throw new BadRequest("invalid-field", path + ".key must not be empty");
        }
        RequestInput.requireUnicode(path + ".key", key);
        try {
            service.checkKey(key);
        } catch (BadRequest e) {
            throw new BadRequest(e.error, path + ".key: " + e.getMessage());
        }
        return key;
    }

    private static KvValue value(JsonObject json, String path, boolean bytesAllowed, KvService service) throws BadRequest {
        Object text = json.getValue("value");
        Object base64 = json.getValue("valueBase64");
        if (base64 != null && !bytesAllowed) {
            throw new BadRequest("invalid-field", path + ".valueBase64: an appended element must be text ('value')");
        }
        if (text != null && base64 != null) {
            throw new BadRequest("invalid-field", path + ": give 'value' or 'valueBase64', not both");
        }
        KvValue value;
        if (base64 != null) {
            if (!(base64 instanceof String encoded)) {
                throw new BadRequest("invalid-field", path + ".valueBase64 must be a string");
            }
            try {
                value = KvValue.of(Base64.getDecoder().decode(encoded));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("invalid-field", path + ".valueBase64 is not Base64: " + e.getMessage());
            }
        } else if (text instanceof String s) {
            RequestInput.requireUnicode(path + ".value", s);
            value = KvValue.of(s);
        } else {
            throw new BadRequest(text == null ? "missing-field" : "invalid-field", path + ".value is required and must be a string");
        }
        service.checkValue(path + ".value", value);
        return value;
    }
}
