package io.raftkit.verifier.client;

/**
 * The result of one KV request as the verifier records it.
 *
 * @param outcome   ok, fail or info
 * @param value     the value read (null when absent), or for a CAS whether it succeeded
 * @param error     why it failed or is unknown, for the history and the report
 * @param status    the HTTP status of the answer, or {@link #NO_ANSWER} when none came (refused,
 *                  reset, closed without a byte, timed out)
 * @param index     the store's log index in the answer ({@link #NO_INDEX} when none): for a write or
 *                  CAS the entry that applied it (a deduplicated resend answers with the original's),
 *                  for a read the last applied entry the read saw
 */
public record KvResult(Outcome outcome, String value, String error, int status, long index) {

    public static final int NO_ANSWER = 0;
    public static final long NO_INDEX = -1;

    public static KvResult ok(String value) {
        return ok(value, NO_INDEX);
    }

    public static KvResult ok(String value, long index) {
        return new KvResult(Outcome.OK, value, null, 200, index);
    }

    public static KvResult fail(int status, String error) {
        return new KvResult(Outcome.FAIL, null, error, status, NO_INDEX);
    }

    public static KvResult info(int status, String error) {
        return new KvResult(Outcome.INFO, null, error, status, NO_INDEX);
    }

    /** Whether some server answered, whatever it said. */
    public boolean answered() {
        return status != NO_ANSWER;
    }
}
