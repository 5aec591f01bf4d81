package io.raftkit.verifier.checker;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    @SuppressWarnings("unchecked")
    private static List<Object> readJsonLines(String text) {
        List<Object> events = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                Map<String, Object> event = JSON.readValue(lines[i], Map.class);
                event.put("raftkit/line", i + 1); // errors name the line (a JSON object is a map)
                events.add(event);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not a JSON object: " + e.getOriginalMessage());
            }
        }
        return events;
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
