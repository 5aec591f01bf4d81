package io.raftkit.verifier.client;

import java.util.List;

/**
 * How one list-append transaction ended: {@code mops} are its micro-ops as completed (an ok's reads
 * carry the lists they saw; otherwise as invoked), {@code status} the HTTP status (0: no answer).
 */
public record TxnResult(Outcome outcome, List<List<Object>> mops, String error, int status) {

    public boolean answered() {
        return status != KvResult.NO_ANSWER;
    }
}
