package io.raftkit.verifier.report;

import io.raftkit.verifier.runner.Recorded;

/** An invocation paired with its completion (or with none: it never completed). */
public record Operation(Recorded invoke, Recorded completion) {

    public String type() {
        return completion == null ? "info" : completion.type();
    }

    public long startNanos() {
        return invoke.timeNanos();
    }

    public long endNanos(long runEndNanos) {
        return completion == null ? runEndNanos : completion.timeNanos();
    }
}
