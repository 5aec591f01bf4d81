package io.raftkit.verifier.checker;

import java.util.Map;

/**
 * The verdict for one key, with the checker's details: on invalid, {@code op} (the operation that
 * cannot be linearized), {@code last-op} (the last that could) and {@code states} (up to 10 model
 * states at that point); on unknown, {@code reason}.
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
        return s.toString();
    }

    @SuppressWarnings("unchecked")
    private static String describe(Object op) {
        if (!(op instanceof Map<?, ?> m)) {
            return String.valueOf(op);
        }
        Map<String, Object> o = (Map<String, Object>) m;
        Object at = o.get("complete-position") != null ? o.get("complete-position") : o.get("invoke-position");
        return "process " + o.get("process") + " " + o.get("f") + " " + o.get("value") + " (position " + at + ")";
    }
}
