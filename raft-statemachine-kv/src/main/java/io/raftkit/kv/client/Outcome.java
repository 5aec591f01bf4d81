package io.raftkit.kv.client;

/** Whether a write took effect, as far as the client can tell. */
public enum Outcome {
    /** The cluster answered that it applied the write. */
    APPLIED,
    /** The write certainly did not happen: every attempt was refused before it was proposed. */
    NOT_APPLIED,
    /**
     * The write may or may not have happened (an attempt timed out or its connection was lost after
     * it was sent). A retry of it under the same session is applied at most once (thesis §6.3).
     */
    UNKNOWN
}
