package io.raftkit.verifier.checker;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import clojure.lang.ITransientMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads histories for the checker: {@code .edn} (Knossos/Jepsen: a vector of maps) and
 * {@code .jsonl} (one JSON object a line, as the runner writes). Every problem is an
 * {@link IllegalArgumentException} naming the file and the position.
 */
public final class HistoryFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IFn READ_EDN;
    private static final IFn NORMALIZE;
    private static final IFn PARSE_INITIAL;

    static {
        Checker.load(); // requires the Clojure namespaces before their vars are looked up
        READ_EDN = Clojure.var("raftkit.checker.core", "read-edn-history");
        NORMALIZE = Clojure.var("raftkit.checker.core", "normalize-events");
        PARSE_INITIAL = Clojure.var("raftkit.checker.core", "parse-initial");
    }

    private HistoryFiles() {
    }

    /** The normalized events of {@code file}, ready for {@link Checker#check}. */
    public static Object read(Path file) throws IOException {
        String name = file.getFileName().toString();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            if (name.endsWith(".edn")) {
                return READ_EDN.invoke(text);
            }
            if (name.endsWith(".jsonl") || name.endsWith(".json")) {
                return NORMALIZE.invoke(readJsonLines(text));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(file + ": unknown history format; use .edn or .jsonl");
    }

    private static final Keyword LINE = Keyword.intern("raftkit", "line");

    /**
     * One Clojure map per line, keys as keywords and whole numbers as longs, built here rather than
     * converted in Clojure: reading an 80,000-event history took 1.6 s warm and 9 s cold that way.
     */
    private static List<Object> readJsonLines(String text) {
        List<Object> events = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not a JSON object: " + e.getOriginalMessage());
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not a JSON object: " + brief(lines[i]));
            }
            ITransientMap event = PersistentArrayMap.EMPTY.asTransient();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> f = fields.next();
                event = event.assoc(Keyword.intern(f.getKey()), clojure(f.getValue()));
            }
            events.add(event.assoc(LINE, (long) (i + 1)).persistent()); // errors name the line
        }
        return events;
    }

    private static Object clojure(JsonNode v) {
        if (v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isArray()) {
            List<Object> items = new ArrayList<>(v.size());
            v.forEach(item -> items.add(clojure(item)));
            return PersistentVector.create(items);
        }
        ITransientMap m = PersistentArrayMap.EMPTY.asTransient();
        for (Iterator<Map.Entry<String, JsonNode>> fields = v.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> f = fields.next();
            m = m.assoc(Keyword.intern(f.getKey()), clojure(f.getValue()));
        }
        return m.persistent();
    }

    private static String brief(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }

    /** An {@code --initial} value as EDN: {@code 0}, {@code nil}, {@code "a"}, {@code {:x 0 :y 0}}. */
    public static Object parseInitial(String text) {
        try {
            return PARSE_INITIAL.invoke(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--initial '" + text + "' is not an EDN value: " + e.getMessage(), e);
        }
    }
}
