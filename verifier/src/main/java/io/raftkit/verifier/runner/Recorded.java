package io.raftkit.verifier.runner;

/**
 * One history event as the runner records it (process is an Integer, or "nemesis"); the report
 * turns these into the history files the checker reads.
 */
public record Recorded(long index, long timeNanos, Object process, String type, String f, String key, Object value,
                       String error) {
}
