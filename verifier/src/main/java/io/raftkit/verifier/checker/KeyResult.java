package io.raftkit.verifier.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The verdict for one key, with the checker's details: on invalid, {@code op} (the operation that
 * cannot be linearized), {@code last-op} (the last that could), {@code prefix-count} and
 * {@code linearization} (the longest linearizable prefix the search found: how many operations, and
 * the last of them in order, each with the state after it), and {@code states} (up to 10 model
 * states the operation could have seen there); on unknown, {@code reason}.
 */
public record KeyResult(Object key, Verdict verdict, Map<String, Object> detail) {

    /** One line that explains an invalid result to a person. */
    public String explain() {
        if (verdict == Verdict.UNKNOWN) {
            return String.valueOf(detail.get("reason")); // the verdict word comes before it already
        }
        if (verdict != Verdict.INVALID) {
            return "valid";
        }
        StringBuilder s = new StringBuilder();
        if (key != null) {
            s.append("key ").append(key).append(": ");
        }
        if (detail.containsKey("lost")) {
            return s.append("acknowledged adds lost: ").append(detail.get("lost"))
                    .append("; values that were never added: ").append(detail.get("unexpected")).toString();
        }
        s.append("cannot linearize ").append(describe(detail.get("op")));
        Object last = detail.get("last-op");
        s.append("; last linearizable: ").append(last == null ? "none" : describe(last));
        s.append("; possible states there: ").append(detail.get("states"));
        if (detail.get("prefix-count") != null) {
            s.append("; longest linearizable prefix: ").append(detail.get("prefix-count")).append(" operations");
        }
        return s.toString();
    }

    /** The longest linearizable prefix's last operations in order, as the checker describes them. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> linearizationSteps() {
        List<Map<String, Object>> steps = new ArrayList<>();
        if (detail.get("linearization") instanceof List<?> order) {
            for (Object step : order) {
                steps.add((Map<String, Object>) step);
            }
        }
        return steps;
    }

    /**
     * The longest linearizable prefix's last operations in their linearized order, one line each
     * with the state after it, then the operation that cannot follow them: for reports.
     */
    @SuppressWarnings("unchecked")
    public List<String> partialLinearization() {
        List<String> lines = new ArrayList<>();
        if (detail.get("linearization") instanceof List<?> order) {
            for (Object step : order) {
                Map<String, Object> o = (Map<String, Object>) step;
                lines.add(describe(o) + "  -> " + o.get("state-after"));
            }
        }
        if (verdict == Verdict.INVALID && detail.get("op") != null) {
            lines.add("then " + describe(detail.get("op")) + ": impossible in any of " + detail.get("states"));
        }
        return lines;
    }

    @SuppressWarnings("unchecked")
    private static String describe(Object op) {
        if (!(op instanceof Map<?, ?> m)) {
            return String.valueOf(op);
        }
        Map<String, Object> o = (Map<String, Object>) m;
        Object at = o.get("complete-position") != null ? o.get("complete-position") : o.get("invoke-position");
        String bounded = o.get("bounded-by-position") == null ? ""
                : ", indeterminate, observed by position " + o.get("bounded-by-position");
        return "process " + o.get("process") + " " + o.get("f") + " " + o.get("value") + " (position " + at + bounded + ")";
    }
}
