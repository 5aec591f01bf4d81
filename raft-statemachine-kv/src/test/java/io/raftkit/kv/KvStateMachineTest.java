package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KvStateMachineTest {

    private final KvStateMachine sm = new KvStateMachine(60_000);
    private long index;

    private KvResult apply(KvCommand command) {
        return KvCodec.decodeResult(sm.apply(++index, KvCodec.encode(command)));
    }

    private KvResult get(String key) {
        return KvCodec.decodeResult(sm.query(KvCodec.encodeGet(key)));
    }

    private static SessionStamp anon() {
        return SessionStamp.anonymous(1_000);
    }

    @Test
    void putCreatesThenOverwritesCountingVersionsAndIndices() {
        KvResult created = apply(new KvCommand.Put(anon(), "a", "1"));
        KvResult updated = apply(new KvCommand.Put(anon(), "a", "2"));
        assertThat(created).isEqualTo(new KvResult(KvResult.Status.OK, "a", Optional.of("1"), 1, 1, 1, 1));
        assertThat(updated).isEqualTo(new KvResult(KvResult.Status.OK, "a", Optional.of("2"), 2, 1, 2, 2));
        assertThat(get("a")).isEqualTo(new KvResult(KvResult.Status.OK, "a", Optional.of("2"), 2, 1, 2, 2));
    }

    @Test
    void deleteRemovesTheKeyAndARecreatedKeyStartsAtVersionOne() {
        apply(new KvCommand.Put(anon(), "a", "1"));
        assertThat(apply(new KvCommand.Delete(anon(), "a")).status()).isEqualTo(KvResult.Status.OK);
        assertThat(get("a").status()).isEqualTo(KvResult.Status.NOT_FOUND);
        assertThat(apply(new KvCommand.Delete(anon(), "a")).status()).isEqualTo(KvResult.Status.NOT_FOUND);
        KvResult recreated = apply(new KvCommand.Put(anon(), "a", "x"));
        assertThat(recreated.version()).isEqualTo(1);
        assertThat(recreated.createIndex()).isEqualTo(4);
    }

    @Test
    void casOnExpectedValueSucceedsOnlyWhenTheValueMatches() {
        apply(new KvCommand.Put(anon(), "a", "1"));
        KvResult failed = apply(new KvCommand.Cas(anon(), "a", Optional.of("9"), "2"));
        KvResult succeeded = apply(new KvCommand.Cas(anon(), "a", Optional.of("1"), "2"));
        assertThat(failed.status()).isEqualTo(KvResult.Status.CAS_FAILED);
        assertThat(failed.value()).contains("1");
        assertThat(failed.version()).isEqualTo(1);
        assertThat(succeeded.status()).isEqualTo(KvResult.Status.OK);
        assertThat(succeeded.value()).contains("2");
        assertThat(succeeded.version()).isEqualTo(2);
    }

    @Test
    void casOnExpectedAbsenceSucceedsOnlyForAnAbsentKey() {
        assertThat(apply(new KvCommand.Cas(anon(), "a", Optional.empty(), "1")).status()).isEqualTo(KvResult.Status.OK);
        KvResult second = apply(new KvCommand.Cas(anon(), "a", Optional.empty(), "2"));
        assertThat(second.status()).isEqualTo(KvResult.Status.CAS_FAILED);
        assertThat(second.value()).contains("1");
        assertThat(apply(new KvCommand.Cas(anon(), "b", Optional.of("x"), "2")).status()).isEqualTo(KvResult.Status.CAS_FAILED);
    }

    @Test
    void aRetriedRequestReturnsTheOriginalResultAndIsNotAppliedTwice() {
        SessionStamp first = new SessionStamp(5, 1, 1_000);
        KvResult original = apply(new KvCommand.Cas(first, "a", Optional.empty(), "1"));
        apply(new KvCommand.Put(anon(), "other", "x"));
        KvResult retry = apply(new KvCommand.Cas(new SessionStamp(5, 1, 2_000), "a", Optional.empty(), "1"));
        assertThat(retry).isEqualTo(original);
        assertThat(get("a").version()).isEqualTo(1);
    }

    @Test
    void aSequenceBelowTheLastAppliedOneIsStaleAndChangesNothing() {
        apply(new KvCommand.Put(new SessionStamp(5, 2, 1_000), "a", "2"));
        KvResult stale = apply(new KvCommand.Put(new SessionStamp(5, 1, 1_000), "a", "1"));
        assertThat(stale.status()).isEqualTo(KvResult.Status.STALE_SEQUENCE);
        assertThat(get("a").value()).contains("2");
    }

    @Test
    void idleSessionsExpireByTheLeaderTimestampInTheLogNotByAnyLocalClock() {
        apply(new KvCommand.Put(new SessionStamp(5, 1, 1_000), "a", "1"));
        apply(new KvCommand.Put(new SessionStamp(6, 1, 30_000), "b", "1"));
        assertThat(sm.sessionCount()).isEqualTo(2);
        apply(new KvCommand.Put(SessionStamp.anonymous(61_001), "c", "1"));
        assertThat(sm.sessionCount()).as("client 5 idle for 60,001 ms of log time").isEqualTo(1);
        // After expiry, a retry of client 5's request is applied again: the TTL must exceed retry windows.
        assertThat(apply(new KvCommand.Put(new SessionStamp(5, 1, 61_002), "a", "1")).version()).isEqualTo(2);
    }

    @Test
    void aLeaderClockThatGoesBackwardsDoesNotResurrectOrExpireSessionsEarly() {
        apply(new KvCommand.Put(new SessionStamp(5, 1, 50_000), "a", "1"));
        apply(new KvCommand.Put(new SessionStamp(6, 1, 10_000), "b", "1")); // a new leader whose clock is behind
        assertThat(sm.sessionCount()).isEqualTo(2);
        KvResult retry = apply(new KvCommand.Put(new SessionStamp(5, 1, 10_001), "a", "1"));
        assertThat(retry.version()).isEqualTo(1);
    }

    @Test
    void malformedLogBytesGetAMalformedResultOnEveryReplicaWithoutStoppingIt() {
        KvResult r = KvCodec.decodeResult(sm.apply(++index, new byte[]{9, 9, 9}));
        assertThat(r.status()).isEqualTo(KvResult.Status.MALFORMED);
        assertThat(apply(new KvCommand.Put(anon(), "a", "1")).status()).isEqualTo(KvResult.Status.OK);
    }

    @Test
    void twoReplicasApplyingTheSameLogGiveIdenticalResults() {
        Random random = new Random(11);
        List<byte[]> log = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String key = "k" + random.nextInt(20);
            SessionStamp stamp = new SessionStamp(1 + random.nextInt(5), 1 + random.nextInt(50), i * 100L);
            int kind = random.nextInt(3);
            log.add(KvCodec.encode(kind == 0 ? new KvCommand.Put(stamp, key, "v" + i)
                    : kind == 1 ? new KvCommand.Delete(stamp, key)
                    : new KvCommand.Cas(stamp, key, random.nextBoolean() ? Optional.empty() : Optional.of("v" + (i - 1)), "v" + i)));
        }
        KvStateMachine a = new KvStateMachine(10_000);
        KvStateMachine b = new KvStateMachine(10_000);
        for (int i = 0; i < log.size(); i++) {
            assertThat(a.apply(i + 1, log.get(i))).as("index %d", i + 1).isEqualTo(b.apply(i + 1, log.get(i)));
        }
        for (int k = 0; k < 20; k++) {
            assertThat(a.query(KvCodec.encodeGet("k" + k))).isEqualTo(b.query(KvCodec.encodeGet("k" + k)));
        }
    }

    @Test
    void aRestoredSnapshotAnswersReadsAndRetriesLikeTheOriginal() throws Exception {
        KvResult original = apply(new KvCommand.Cas(new SessionStamp(5, 1, 1_000), "a", Optional.empty(), "1"));
        apply(new KvCommand.Put(anon(), "b", "2"));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        sm.snapshot(bytes);
        KvStateMachine restored = new KvStateMachine(60_000);
        restored.restore(new java.io.ByteArrayInputStream(bytes.toByteArray()));
        assertThat(restored.query(KvCodec.encodeGet("a"))).isEqualTo(sm.query(KvCodec.encodeGet("a")));
        assertThat(restored.query(KvCodec.encodeGet("b"))).isEqualTo(sm.query(KvCodec.encodeGet("b")));
        byte[] retry = KvCodec.encode(new KvCommand.Cas(new SessionStamp(5, 1, 2_000), "a", Optional.empty(), "1"));
        assertThat(KvCodec.decodeResult(restored.apply(index + 1, retry))).isEqualTo(original);
    }
}
