package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exactly-once sessions (thesis §6.3) in the state machine: verdicts, bounds, log time, replay. */
class KvSessionsTest {

    private static final long YEAR_MILLIS = 365L * 24 * 3_600_000;

    private KvStateMachine sm = new KvStateMachine(60_000);
    private long index;
    /** The leader clock the next command is stamped with. */
    private long now = 1_000;

    private KvResult apply(KvCommand command) {
        return KvCodec.decodeResult(sm.apply(++index, KvCodec.encode(command)));
    }

    private KvResult get(String key) {
        return KvCodec.decodeResult(sm.query(KvCodec.encodeGet(key)));
    }

    private SessionStamp session(long clientId, long sequence) {
        return new SessionStamp(clientId, sequence, now);
    }

    private void policy(long ttlMillis, int capacity) {
        apply(new KvCommand.SetSessionPolicy(SessionStamp.anonymous(now), new SessionPolicy(ttlMillis, capacity)));
    }

    /** Anonymous writes one second apart: log time passing under steady traffic. */
    private void passSeconds(int seconds) {
        for (int i = 0; i < seconds; i++) {
            now += 1_000;
            apply(new KvCommand.Put(SessionStamp.anonymous(now), "clock", Long.toString(now)));
        }
    }

    @Test
    void aRetriedRequestGetsTheFirstAnswerMarkedDuplicateAndIsNotAppliedTwice() {
        policy(60_000, 100);
        KvResult original = apply(new KvCommand.Cas(session(5, 1), "a", Optional.empty(), "1"));
        apply(new KvCommand.Put(SessionStamp.anonymous(now), "other", "x"));
        now += 500;
        KvResult retry = apply(new KvCommand.Cas(session(5, 1), "a", Optional.empty(), "1"));
        assertThat(retry).isEqualTo(new KvResult(original.status(), original.key(), original.value(), original.version(),
                original.createIndex(), original.modIndex(), original.index(), KvResult.Origin.DUPLICATE));
        assertThat(get("a").version()).isEqualTo(1);
    }

    @Test
    void aDuplicateOfEachKindOfWriteGetsItsFirstAnswerThoughNoValueIsStored() {
        policy(60_000, 100);
        KvResult put = apply(new KvCommand.Put(session(1, 1), "p", "put-value"));
        KvResult cas = apply(new KvCommand.Cas(session(2, 1), "p", Optional.of("put-value"), "cas-value"));
        KvResult failedCas = apply(new KvCommand.Cas(session(3, 1), "p", Optional.of("wrong"), "never"));
        KvResult missingDelete = apply(new KvCommand.Delete(session(4, 1), "nothing-here"));
        KvResult delete = apply(new KvCommand.Delete(session(5, 1), "p"));
        apply(new KvCommand.Put(SessionStamp.anonymous(now), "p", "recreated")); // after all of them
        assertThat(apply(new KvCommand.Put(session(1, 1), "p", "put-value"))).isEqualTo(duplicate(put, KvResult.Origin.DUPLICATE));
        assertThat(apply(new KvCommand.Cas(session(2, 1), "p", Optional.of("put-value"), "cas-value")))
                .isEqualTo(duplicate(cas, KvResult.Origin.DUPLICATE));
        assertThat(apply(new KvCommand.Delete(session(4, 1), "nothing-here"))).isEqualTo(duplicate(missingDelete, KvResult.Origin.DUPLICATE));
        assertThat(apply(new KvCommand.Delete(session(5, 1), "p"))).isEqualTo(duplicate(delete, KvResult.Origin.DUPLICATE));
        // The failed CAS saw "cas-value", which the command does not carry and the key no longer holds.
        KvResult failedRetry = apply(new KvCommand.Cas(session(3, 1), "p", Optional.of("wrong"), "never"));
        assertThat(failedRetry.status()).isEqualTo(KvResult.Status.CAS_FAILED);
        assertThat(failedRetry.origin()).isEqualTo(KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN);
        assertThat(failedRetry.value()).isEmpty();
        assertThat(failedRetry.version()).isEqualTo(failedCas.version());
        assertThat(failedRetry.modIndex()).isEqualTo(failedCas.modIndex());
        assertThat(get("p").value()).contains(KvValue.of("recreated"));
    }

    @Test
    void aDuplicateOfAFailedCasShowsTheValueItSawWhileTheKeyIsUnchanged() {
        policy(60_000, 100);
        apply(new KvCommand.Put(SessionStamp.anonymous(now), "k", "held"));
        KvResult failed = apply(new KvCommand.Cas(session(3, 1), "k", Optional.of("wrong"), "never"));
        assertThat(apply(new KvCommand.Cas(session(3, 1), "k", Optional.of("wrong"), "never")))
                .isEqualTo(duplicate(failed, KvResult.Origin.DUPLICATE));
    }

    private static KvResult duplicate(KvResult first, KvResult.Origin origin) {
        return new KvResult(first.status(), first.key(), first.value(), first.version(), first.createIndex(),
                first.modIndex(), first.index(), origin);
    }

    @Test
    void aRetryWithTheSameSequenceButADifferentCommandIsRefusedAndChangesNothing() {
        KvResult put = apply(new KvCommand.Put(session(5, 1), "a", "1"));
        KvResult delete = apply(new KvCommand.Delete(session(5, 1), "a"));
        KvResult otherValue = apply(new KvCommand.Put(session(5, 1), "a", "2"));
        KvResult otherKey = apply(new KvCommand.Put(session(5, 1), "b", "1"));
        for (KvResult refused : List.of(delete, otherValue, otherKey)) {
            assertThat(refused.status()).isEqualTo(KvResult.Status.SEQUENCE_REUSED);
            assertThat(refused.index()).as("where the sequence's first command was applied").isEqualTo(put.index());
        }
        assertThat(get("a").value()).contains(KvValue.of("1"));
        assertThat(get("a").version()).isEqualTo(1);
        assertThat(get("b").status()).isEqualTo(KvResult.Status.NOT_FOUND);
        assertThat(apply(new KvCommand.Put(session(5, 1), "a", "1")).origin()).as("the true retry still answers")
                .isEqualTo(KvResult.Origin.DUPLICATE);
    }

    @Test
    void aSequenceBelowTheLastAppliedOneIsStaleAndChangesNothing() {
        apply(new KvCommand.Put(session(5, 2), "a", "2"));
        KvResult stale = apply(new KvCommand.Put(session(5, 1), "a", "1"));
        assertThat(stale.status()).isEqualTo(KvResult.Status.STALE_SEQUENCE);
        assertThat(get("a").value()).contains(KvValue.of("2"));
    }

    @Test
    void sessionsOfBigWritesFromManyClientsKeepNoValues() throws Exception {
        String big = "v".repeat(64 * 1024);
        for (int client = 1; client <= 100; client++) {
            apply(new KvCommand.Put(session(client, 1), "k", big));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sm.snapshot(out);
        // One 64 KiB value in the map and 100 fixed-size sessions; keeping results kept 100 values (6.5 MB).
        assertThat(out.size()).as("snapshot bytes").isLessThan(64 * 1024 + 100 * 100 + 1_000);
        assertThat(sm.heapBytes()).isLessThan(64 * 1024 + 100 * Sessions.SESSION_HEAP_BYTES + 1_000);
    }

    @Test
    void theSessionTableNeverHoldsMoreThanItsCapacityAndEvictsTheLeastRecentlyUsed() {
        policy(60_000, 3);
        apply(new KvCommand.Put(session(1, 1), "a", "1"));
        apply(new KvCommand.Put(session(2, 1), "a", "2"));
        apply(new KvCommand.Put(session(3, 1), "a", "3"));
        apply(new KvCommand.Put(session(1, 2), "a", "4")); // client 1 used again: client 2 is now the oldest
        apply(new KvCommand.Put(session(4, 1), "a", "5"));
        assertThat(sm.sessionCount()).isEqualTo(3);
        KvResult evicted = apply(new KvCommand.Put(session(2, 2), "a", "6"));
        assertThat(evicted.status()).as("a later sequence of an evicted session").isEqualTo(KvResult.Status.SESSION_EXPIRED);
        assertThat(get("a").value()).contains(KvValue.of("5"));
        assertThat(apply(new KvCommand.Put(session(1, 2), "a", "4")).origin()).isEqualTo(KvResult.Origin.DUPLICATE);
        for (int client = 100; client < 200; client++) {
            apply(new KvCommand.Put(session(client, 1), "flood", "x"));
            assertThat(sm.sessionCount()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void shrinkingTheCapacityEvictsTheOldestAtOnce() {
        policy(60_000, 10);
        for (int client = 1; client <= 10; client++) {
            apply(new KvCommand.Put(session(client, 1), "a", "x"));
        }
        policy(60_000, 4);
        assertThat(sm.sessionCount()).isEqualTo(4);
        assertThat(apply(new KvCommand.Put(session(6, 2), "a", "y")).status()).isEqualTo(KvResult.Status.SESSION_EXPIRED);
        assertThat(apply(new KvCommand.Put(session(7, 2), "a", "y")).status()).isEqualTo(KvResult.Status.OK);
    }

    @Test
    void underAPolicyIdleSessionsExpireAfterTheTtlOfLogTime() {
        policy(60_000, 100);
        apply(new KvCommand.Put(session(5, 1), "a", "1"));
        passSeconds(30);
        apply(new KvCommand.Put(session(6, 1), "b", "1"));
        passSeconds(30);
        assertThat(sm.sessionCount()).as("60 s idle: not yet").isEqualTo(2);
        passSeconds(1);
        assertThat(sm.sessionCount()).as("client 5 idle for 61 s of log time").isEqualTo(1);
        assertThat(apply(new KvCommand.Put(session(5, 2), "a", "2")).status()).isEqualTo(KvResult.Status.SESSION_EXPIRED);
        assertThat(get("a").value()).contains(KvValue.of("1"));
    }

    @Test
    void aLeaderClockJumpAgesSessionsByOneStepAndLogTimeThenRunsOnAtTheLeadersRate() {
        policy(60_000, 100);
        apply(new KvCommand.Put(session(5, 1), "a", "1"));
        now += 10 * YEAR_MILLIS; // a leader whose clock jumped
        apply(new KvCommand.Put(SessionStamp.anonymous(now), "b", "1"));
        KvResult retry = apply(new KvCommand.Put(session(5, 1), "a", "1"));
        assertThat(retry.origin()).as("the session survived the jump").isEqualTo(KvResult.Origin.DUPLICATE);
        assertThat(get("a").version()).isEqualTo(1);

        now -= 10 * YEAR_MILLIS; // the next leader's clock is right again: log time must not stall
        passSeconds(59);
        assertThat(apply(new KvCommand.Put(session(5, 1), "a", "1")).origin()).isEqualTo(KvResult.Origin.DUPLICATE);
        passSeconds(62);
        assertThat(sm.sessionCount()).as("expired after the TTL of real time at the new leader").isZero();
    }

    @Test
    void beforeAnyPolicyTheConfiguredTtlAndLargestTimestampRuleAsLogsWereFirstApplied() {
        // A data directory from before policies: replay must reach the state it reached then.
        apply(new KvCommand.Put(new SessionStamp(5, 1, 1_000), "a", "1"));
        apply(new KvCommand.Put(new SessionStamp(6, 1, 30_000), "b", "1"));
        apply(new KvCommand.Put(SessionStamp.anonymous(61_001), "c", "1"));
        assertThat(sm.sessionCount()).as("client 5 idle for 60,001 ms of log time").isEqualTo(1);
        // Then, a forgotten client's later sequence was applied as new, and so it is now.
        assertThat(apply(new KvCommand.Put(new SessionStamp(5, 2, 61_002), "a", "2")).status()).isEqualTo(KvResult.Status.OK);
        // And a new leader whose clock is behind neither resurrected nor expired sessions early.
        apply(new KvCommand.Put(new SessionStamp(7, 1, 10_000), "d", "1"));
        assertThat(apply(new KvCommand.Put(new SessionStamp(5, 2, 10_001), "a", "2")).origin()).isEqualTo(KvResult.Origin.DUPLICATE);
    }

    @Test
    void replicasConfiguredWithDifferentTtlsGiveIdenticalAnswersOnceAPolicyIsInTheLog() {
        Random random = new Random(11);
        List<byte[]> log = new ArrayList<>();
        long clock = 0;
        log.add(KvCodec.encode(new KvCommand.SetSessionPolicy(SessionStamp.anonymous(clock), new SessionPolicy(20_000, 8))));
        for (int i = 0; i < 5_000; i++) {
            clock += random.nextInt(10) == 0 ? random.nextInt(200_000) - 50_000 : random.nextInt(2_000); // jumps both ways
            String key = "k" + random.nextInt(20);
            SessionStamp stamp = new SessionStamp(1 + random.nextInt(12), 1 + random.nextInt(50), clock);
            int kind = random.nextInt(20);
            log.add(KvCodec.encode(kind < 6 ? new KvCommand.Put(stamp, key, "v" + i)
                    : kind < 12 ? new KvCommand.Delete(stamp, key)
                    : kind < 19 ? new KvCommand.Cas(stamp, key, random.nextBoolean() ? Optional.empty() : Optional.of("v" + (i - 1)), "v" + i)
                    : new KvCommand.SetSessionPolicy(stamp, new SessionPolicy(1 + random.nextInt(60_000), 1 + random.nextInt(12)))));
        }
        KvStateMachine a = new KvStateMachine(10_000);
        KvStateMachine b = new KvStateMachine(3_600_000);
        for (int i = 0; i < log.size(); i++) {
            assertThat(a.apply(i + 1, log.get(i))).as("index %d", i + 1).isEqualTo(b.apply(i + 1, log.get(i)));
        }
        for (int k = 0; k < 20; k++) {
            assertThat(a.query(KvCodec.encodeGet("k" + k))).isEqualTo(b.query(KvCodec.encodeGet("k" + k)));
        }
        assertThat(a.sessionCount()).isEqualTo(b.sessionCount());
    }

    @Test
    void aRestoredSnapshotAnswersRetriesAndEvictsLikeTheOriginal() throws Exception {
        policy(60_000, 5);
        for (int client = 1; client <= 5; client++) {
            apply(new KvCommand.Cas(session(client, 1), "a" + client, Optional.empty(), "v" + client));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sm.snapshot(bytes);
        KvStateMachine restored = new KvStateMachine(1);
        restored.restore(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(restored.sessionPolicy()).contains(new SessionPolicy(60_000, 5));
        assertThat(restored.heapBytes()).isEqualTo(sm.heapBytes());
        KvStateMachine original = sm;
        for (int step = 0; step < 40; step++) {
            now += 700;
            long client = 1 + step % 9;
            byte[] command = KvCodec.encode(new KvCommand.Cas(session(client, 1 + step / 9), "a" + client, Optional.empty(), "w"));
            index++;
            assertThat(restored.apply(index, command)).as("step %d", step).isEqualTo(original.apply(index, command));
        }
        for (int client = 1; client <= 9; client++) {
            assertThat(restored.query(KvCodec.encodeGet("a" + client))).isEqualTo(original.query(KvCodec.encodeGet("a" + client)));
        }
    }
}
