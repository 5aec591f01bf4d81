package io.raftkit.verifier.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A list-append history's verdict. {@code detail} holds, with string keys: {@code anomalies} (class
 * to at most 8 examples: a cycle's steps with the reason for each edge, or the offending operation),
 * {@code counts} (class to how many were found), {@code transactions} (ok, info and fail counts),
 * {@code edges} (the dependency graph's size) and, when unknown, {@code reason}.
 */
public record ListAppendResult(Verdict verdict, Map<String, Object> detail, long millis) {

    /** The anomaly classes found, in the checker's order (G0, G1a, G1b, G1c, G-single, G2, ...). */
    public List<String> anomalyClasses() {
        return new ArrayList<>(anomalies().keySet());
    }

    /** The examples of one class (empty when none was found). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> examples(String anomalyClass) {
        Object found = anomalies().get(anomalyClass);
        return found == null ? List.of() : (List<Map<String, Object>>) found;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> anomalies() {
        return (Map<String, Object>) detail.get("anomalies");
    }

    /** How many anomalies of this class were found (examples keep at most 8). */
    public long count(String anomalyClass) {
        Object n = ((Map<?, ?>) detail.get("counts")).get(anomalyClass);
        return n == null ? 0 : ((Number) n).longValue();
    }

    /** One line per anomaly class with its first example; the reason when unknown; empty when valid. */
    public List<String> explain() {
        List<String> lines = new ArrayList<>();
        if (verdict == Verdict.UNKNOWN) {
            lines.add(String.valueOf(detail.get("reason")));
        }
        for (String cls : anomalyClasses()) {
            lines.add(cls + " (" + count(cls) + "): " + describe(examples(cls).get(0)));
        }
        return lines;
    }

    @SuppressWarnings("unchecked")
    private static String describe(Map<String, Object> example) {
        if (example.get("cycle") instanceof List<?> cycle) {
            StringBuilder s = new StringBuilder(String.valueOf(example.get("summary")));
            for (Object step : cycle) {
                s.append("; ").append(((Map<String, Object>) step).get("why"));
            }
            return s.toString();
        }
        StringBuilder s = new StringBuilder();
        Object op = example.get("op");
        if (op instanceof Map<?, ?> o) {
            s.append(o.get("name")).append(" (process ").append(o.get("process")).append(", line ")
                    .append(o.get("line")).append(") ").append(o.get("value"));
        }
        for (String field : List.of("key", "value", "read", "expected", "longest-read", "final-append")) {
            if (example.containsKey(field)) {
                s.append("; ").append(field).append(' ').append(example.get(field));
            }
        }
        if (example.get("writer") instanceof Map<?, ?> w) {
            s.append("; written by ").append(w.get("name")).append(" (").append(w.get("type")).append(") ").append(w.get("value"));
        }
        if (example.get("longest-op") instanceof Map<?, ?> w) {
            s.append(" by ").append(w.get("name"));
        }
        return s.toString();
    }
}
