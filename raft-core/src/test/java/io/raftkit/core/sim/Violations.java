package io.raftkit.core.sim;

/**
 * The first property a run broke. A check throws its violation at once, to stop the step that
 * broke it, and records it here too: the production code the check runs inside (the log writer
 * catches everything a store throws) may swallow the throw, and the run must still fail.
 */
final class Violations {

    private SafetyViolation first;

    SafetyViolation record(SafetyViolation v) {
        if (first == null) {
            first = v;
        }
        return v;
    }

    /** Throws the first violation recorded, if any. */
    void rethrow() {
        if (first != null) {
            throw first;
        }
    }
}
