package io.raftkit.verifier.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.runner.Recorded;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteYieldTest {

    private static List<Recorded> writes(int applied, int refused, String error) {
        List<Recorded> events = new ArrayList<>();
        long i = 0;
        for (int n = 0; n < applied + refused; n++) {
            boolean ok = n < applied;
            events.add(new Recorded(i++, i, 3, "invoke", "write", "r0-0", "1", null));
            events.add(new Recorded(i++, i, 3, ok ? "ok" : "fail", "write", "r0-0", "1", ok ? null : error));
            events.add(new Recorded(i++, i, 4, "invoke", "read", "r0-0", null, null));
            events.add(new Recorded(i++, i, 4, "ok", "read", "r0-0", "1", null));
        }
        events.add(new Recorded(i++, i, "nemesis", "info", "start", null, "partition", null));
        return events;
    }

    @Test
    void aRunWhoseWritesWereMostlyRefusedIsFlaggedWithTheCommonestRefusal() {
        WriteYield y = WriteYield.of(writes(20, 180, "HTTP 409 session-expired: the session of X-Client-Id 4 is no longer kept"));
        assertThat(y.attempted()).isEqualTo(200);
        assertThat(y.applied()).isEqualTo(20);
        assertThat(y.warning()).contains("only 20 of 200 writes were applied").contains("HTTP 409 session-expired (180)");
    }

    @Test
    void aRunThatAppliedAFairShareOrTooFewToJudgeIsNotFlagged() {
        assertThat(WriteYield.of(writes(60, 140, "HTTP 503 no-leader: x")).warning()).isNull(); // 30 %: partitions refuse many
        assertThat(WriteYield.of(writes(1, 50, "HTTP 503 no-leader: x")).warning()).isNull();  // 51 writes: too few to judge
    }
}
