package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.client.KvResult;
import io.raftkit.verifier.client.Outcome;
import io.raftkit.verifier.client.Session;
import io.raftkit.verifier.spi.Op;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a resend's answer rewrites the history: an effect committed after the bounding read is the
 * resend's own short operation (the original had none); one committed before it leaves the
 * original indeterminate; a failed comparison is no effect at all.
 */
class IndeterminateWritesTest {

    private static final ClusterBackend ONE_NODE = new OneNodeBackend("http://n1", Optional.of("n1"));

    /** A store whose reads see applied index 100 and whose answers carry the given index. */
    private static IndeterminateWrites.Kv store(long answerIndex, boolean casMatches) {
        return new IndeterminateWrites.Kv() {
            @Override
            public KvResult read(String endpoint, String key) {
                return KvResult.ok("x", 100);
            }

            @Override
            public KvResult mutate(String endpoint, Op op, Session session) {
                return casMatches ? KvResult.ok(null, answerIndex)
                        : new KvResult(Outcome.FAIL, null, "cas: expected value did not match", 200, answerIndex);
            }
        };
    }

    private static List<Recorded> resend(History h, Op op, IndeterminateWrites.Kv kv) throws Exception {
        h.add(0, "invoke", op.f(), op.key(), op.value(), null);
        Recorded info = h.add(0, "info", op.f(), op.key(), op.value(), "timeout");
        IndeterminateWrites w = new IndeterminateWrites();
        w.add(info, op, new Session(1, 1));
        w.resend(h, ONE_NODE, System.nanoTime() + 5_000_000_000L, kv);
        return h.events();
    }

    @Test
    void anEffectAfterTheReadIsTheResendsOwnShortOperationAndTheOriginalHadNone() throws Exception {
        List<Recorded> events = resend(new History(), new Op("write", "7", "k"), store(101, true));
        assertThat(events).extracting(Recorded::process, Recorded::type).containsExactly(
                tuple(0, "invoke"), tuple(IndeterminateWrites.RESEND_PROCESSES, "invoke"),
                tuple(IndeterminateWrites.RESEND_PROCESSES, "ok"), tuple(0, "fail"));
    }

    @Test
    void anEffectBeforeTheReadLeavesTheOriginalIndeterminateAndTheResendADuplicate() throws Exception {
        List<Recorded> events = resend(new History(), new Op("write", "7", "k"), store(90, true));
        assertThat(events).extracting(Recorded::process, Recorded::type).containsExactly(
                tuple(0, "invoke"), tuple(0, "info"), tuple(IndeterminateWrites.RESEND_PROCESSES, "invoke"),
                tuple(IndeterminateWrites.RESEND_PROCESSES, "fail"));
    }

    @Test
    void aFailedComparisonIsNoEffectWhicheverRequestMadeIt() throws Exception {
        for (long index : new long[] {90, 101}) {
            List<Recorded> events = resend(new History(), new Op("cas", List.of("1", "7"), "k"), store(index, false));
            assertThat(events).as("index " + index).extracting(Recorded::process, Recorded::type).containsExactly(
                    tuple(0, "invoke"), tuple(IndeterminateWrites.RESEND_PROCESSES, "invoke"),
                    tuple(IndeterminateWrites.RESEND_PROCESSES, "fail"), tuple(0, "fail"));
        }
    }
}
