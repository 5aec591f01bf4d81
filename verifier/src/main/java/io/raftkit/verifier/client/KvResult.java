package io.raftkit.verifier.client;

/**
 * The result of one KV request as the verifier records it.
 *
 * @param outcome   ok, fail or info
 * @param value     the value read (null when absent), or for a CAS whether it succeeded
 * @param error     why it failed or is unknown, for the history and the report
 */
public record KvResult(Outcome outcome, String value, String error) {

    public static KvResult ok(String value) {
        return new KvResult(Outcome.OK, value, null);
    }

    public static KvResult fail(String error) {
        return new KvResult(Outcome.FAIL, null, error);
    }

    public static KvResult info(String error) {
        return new KvResult(Outcome.INFO, null, error);
    }
}
