package io.raftkit.verifier.client;

/**
 * How one client operation ended, in the history's terms: {@code OK} it happened, {@code FAIL} it
 * certainly did not, {@code INFO} nobody knows (timeout, leader lost after proposing), which the
 * checker treats as "may have happened at any time after its invocation, or never".
 */
public enum Outcome {
    OK,
    FAIL,
    INFO
}
