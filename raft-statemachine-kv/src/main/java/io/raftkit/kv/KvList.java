package io.raftkit.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The value a list append leaves at a key: a JSON array of strings as UTF-8 text, written compactly
 * ({@code ["a","b"]}). An ordinary value, so a plain GET returns the whole list, snapshots and the
 * session table need no new record kind, and old nodes read a list like any other value. The
 * encoding is canonical (Jackson's compact form), so every replica writes the same bytes.
 */
public final class KvList {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private KvList() {
    }

    /** Thrown when a value is not a list, or an element is not text. */
    static final class NotAList extends Exception {
        NotAList(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code current} (absent: the empty list) with {@code element} appended, encoded. */
    static KvValue append(Optional<KvValue> current, KvValue element) throws NotAList {
        String text = element.utf8().orElseThrow(() -> new NotAList("the appended element is not UTF-8 text"));
        ArrayNode list = current.isPresent() ? parse(current.get()) : JSON.createArrayNode();
        list.add(text);
        try {
            return KvValue.ofOwned(JSON.writeValueAsBytes(list));
        } catch (JsonProcessingException e) {
            throw new AssertionError("an array of strings always serializes", e);
        }
    }

    /** The elements of an encoded list; for clients and tests. */
    public static List<String> decode(KvValue value) throws IllegalArgumentException {
        try {
            ArrayNode list = parse(value);
            List<String> out = new ArrayList<>(list.size());
            list.forEach(n -> out.add(n.textValue()));
            return out;
        } catch (NotAList e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static ArrayNode parse(KvValue value) throws NotAList {
        JsonNode node;
        try {
            node = JSON.readTree(value.bytesUnsafe());
        } catch (IOException e) {
            throw new NotAList("the key holds a value that is not a JSON array of strings");
        }
        if (node == null || !node.isArray()) {
            throw new NotAList("the key holds a value that is not a JSON array of strings");
        }
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw new NotAList("the key holds a JSON array with an element that is not a string");
            }
        }
        return (ArrayNode) node;
    }
}
