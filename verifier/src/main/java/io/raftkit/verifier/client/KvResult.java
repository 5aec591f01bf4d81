package io.raftkit.verifier.client;

/**
 * The result of one KV request as the verifier records it.
 *
 * @param outcome   ok, fail or info
 * @param value     the value read (null when absent), or for a CAS whether it succeeded
 * @param error     why it failed or is unknown, for the history and the report
 * @param status    the HTTP status of the answer, or {@link #NO_ANSWER} when none came (refused,
 *                  reset, closed without a byte, timed out)
 */
public record KvResult(Outcome outcome, String value, String error, int status) {

    public static final int NO_ANSWER = 0;

    public static KvResult ok(String value) {
        return new KvResult(Outcome.OK, value, null, 200);
    }

    public static KvResult fail(int status, String error) {
        return new KvResult(Outcome.FAIL, null, error, status);
    }

    public static KvResult info(int status, String error) {
        return new KvResult(Outcome.INFO, null, error, status);
    }

    /** Whether some server answered, whatever it said. */
    public boolean answered() {
        return status != NO_ANSWER;
    }
}
