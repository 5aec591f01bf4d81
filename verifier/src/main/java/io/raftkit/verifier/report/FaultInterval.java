package io.raftkit.verifier.report;

/** A span of the run during which the nemesis held a fault. */
public record FaultInterval(long startNanos, long endNanos, String description) {
}
