package io.raftkit.core;

/**
 * A linearizable read is ready: once the state machine has applied up to {@code readIndex}, the
 * read registered as {@code requestId} may be served locally (thesis §6.4).
 */
public record ReadState(long requestId, long readIndex) {
}
