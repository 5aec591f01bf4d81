package io.raftkit.verifier.checker;

/** The checker's answer. Exit codes of the CLI follow it: 0 valid, 1 invalid, 2 unknown. */
public enum Verdict {
    VALID,
    INVALID,
    UNKNOWN;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
