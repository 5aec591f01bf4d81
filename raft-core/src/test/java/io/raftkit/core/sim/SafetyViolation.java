package io.raftkit.core.sim;

/** A Raft safety or liveness property failed in a simulation run. */
public final class SafetyViolation extends RuntimeException {

    public SafetyViolation(String property, String detail) {
        super(property + ": " + detail);
    }

    public SafetyViolation(String property, String detail, Throwable cause) {
        super(property + ": " + detail, cause);
    }
}
