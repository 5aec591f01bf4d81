package io.raftkit.kv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TxnCommandTest {

    @Test
    void operationsKeepTheOrderOfTheirFlagsAcrossKinds() {
        JsonObject body = TxnCommand.bodyOf("--endpoints", "http://127.0.0.1:1", "--append", "l=1", "--get", "l", "--put", "k=a=b",
                "--append", "l=2", "--delete", "k", "--get", "l");
        assertThat(body.getJsonArray("ops").encode()).isEqualTo("[{\"op\":\"append\",\"key\":\"l\",\"value\":\"1\"},"
                + "{\"op\":\"get\",\"key\":\"l\"},{\"op\":\"put\",\"key\":\"k\",\"value\":\"a=b\"},"
                + "{\"op\":\"append\",\"key\":\"l\",\"value\":\"2\"},{\"op\":\"delete\",\"key\":\"k\"},{\"op\":\"get\",\"key\":\"l\"}]");
    }

    @Test
    void everyGuardFlagBecomesItsGuard() {
        JsonObject body = TxnCommand.bodyOf("--endpoints", "http://127.0.0.1:1", "--if", "a=1", "--if-version", "b=0",
                "--if-exists", "c", "--if-absent", "d", "--get", "a");
        assertThat(body.getJsonArray("guards").encode()).isEqualTo("[{\"key\":\"a\",\"value\":\"1\"},{\"key\":\"b\",\"version\":0},"
                + "{\"key\":\"c\",\"exists\":true},{\"key\":\"d\",\"exists\":false}]");
    }

    @Test
    void aPairWithoutEqualsOrAVersionThatIsNotANumberIsBadUsageNamingTheFlag() {
        assertThatThrownBy(() -> TxnCommand.bodyOf("--endpoints", "x", "--put", "novalue"))
                .hasMessage("--put novalue: expected KEY=VALUE");
        assertThatThrownBy(() -> TxnCommand.bodyOf("--endpoints", "x", "--if-version", "k=one", "--get", "k"))
                .hasMessage("--if-version k=one: the version must be a whole number");
        assertThat(Main.run("txn", "--endpoints", "http://127.0.0.1:1")).isEqualTo(Main.BAD_USAGE);
    }

    @Test
    void noEndpointListeningIsAnErrorSayingNothingWasApplied() {
        assertThat(Main.run("txn", "--endpoints", "http://127.0.0.1:1", "--get", "k")).isEqualTo(1);
    }
}
