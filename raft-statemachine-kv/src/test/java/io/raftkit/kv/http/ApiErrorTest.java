package io.raftkit.kv.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.core.server.LogFullException;
import io.raftkit.core.server.RequestTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The outcome a failed write reports decides whether a client (and the verifier) may count it as not done. */
class ApiErrorTest {

    @Test
    void aFullLogIs507WithTheWriteCertainlyNotApplied() {
        ApiError e = ApiError.from(new CompletionException(new LogFullException(800L << 20, 1000L << 20)));

        assertThat(e.status()).isEqualTo(507);
        assertThat(e.toJson().getString("error")).isEqualTo("log-full");
        assertThat(e.toJson().getString("outcome")).isEqualTo(ApiError.NOT_APPLIED);
        assertThat(e.message()).contains("800 MB", "1000 MB", "-Xmx");
    }

    @Test
    void aTimeoutAfterProposingLeavesTheOutcomeUnknown() {
        ApiError e = ApiError.from(new RequestTimeoutException("proposal", 5_000));

        assertThat(e.status()).isEqualTo(504);
        assertThat(e.toJson().getString("outcome")).isEqualTo(ApiError.UNKNOWN);
    }
}
