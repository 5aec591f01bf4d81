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
        assertThat(created).isEqualTo(new KvResult(KvResult.Status.OK, "a", Optional.of(KvValue.of("1")), 1, 1, 1, 1));
        assertThat(updated).isEqualTo(new KvResult(KvResult.Status.OK, "a", Optional.of(KvValue.of("2")), 2, 1, 2, 2));
        assertThat(get("a")).isEqualTo(new KvResult(KvResult.Status.OK, "a", Optional.of(KvValue.of("2")), 2, 1, 2, 2));
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
        assertThat(failed.value()).contains(KvValue.of("1"));
        assertThat(failed.version()).isEqualTo(1);
        assertThat(succeeded.status()).isEqualTo(KvResult.Status.OK);
        assertThat(succeeded.value()).contains(KvValue.of("2"));
        assertThat(succeeded.version()).isEqualTo(2);
    }

    @Test
    void casOnExpectedAbsenceSucceedsOnlyForAnAbsentKey() {
        assertThat(apply(new KvCommand.Cas(anon(), "a", Optional.empty(), "1")).status()).isEqualTo(KvResult.Status.OK);
        KvResult second = apply(new KvCommand.Cas(anon(), "a", Optional.empty(), "2"));
        assertThat(second.status()).isEqualTo(KvResult.Status.CAS_FAILED);
        assertThat(second.value()).contains(KvValue.of("1"));
        assertThat(apply(new KvCommand.Cas(anon(), "b", Optional.of("x"), "2")).status()).isEqualTo(KvResult.Status.CAS_FAILED);
    }

    @Test
    void malformedLogBytesGetAMalformedResultOnEveryReplicaWithoutStoppingIt() {
        KvResult r = KvCodec.decodeResult(sm.apply(++index, new byte[]{9, 9, 9}));
        assertThat(r.status()).isEqualTo(KvResult.Status.MALFORMED);
        assertThat(apply(new KvCommand.Put(anon(), "a", "1")).status()).isEqualTo(KvResult.Status.OK);
    }

    @Test
    void theHeapEstimateGrowsWithValuesAndSessionsAndShrinksWhenKeysGo() {
        long empty = sm.heapBytes();
        apply(new KvCommand.Put(anon(), "a", "x".repeat(10_000)));
        long oneValue = sm.heapBytes();
        assertThat(oneValue - empty).as("an ASCII value counts a byte a character").isBetween(10_000L, 10_400L);
        apply(new KvCommand.Put(anon(), "a", "\u20ac".repeat(10_000)));
        assertThat(sm.heapBytes() - empty).as("a value counts its bytes: three a euro sign in UTF-8").isBetween(30_000L, 30_400L);
        apply(new KvCommand.Put(new SessionStamp(9, 1, 1_000), "b", "y"));
        assertThat(sm.sessionCount()).isEqualTo(1);
        apply(new KvCommand.Delete(anon(), "a"));
        assertThat(sm.heapBytes() - empty).as("one small key and one session").isBetween(1L, 1_000L);
    }

    @Test
    void aValueThatIsNotValidUnicodeIsRefusedBeforeItReachesTheLog() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KvCodec.encode(new KvCommand.Put(anon(), "k", "a\ud800")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate at char 1");
    }
}
