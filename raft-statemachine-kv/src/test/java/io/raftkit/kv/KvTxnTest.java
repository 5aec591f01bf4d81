package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Transactions in the state machine: guards, every operation, all-or-nothing, sessions. */
class KvTxnTest {

    private final KvStateMachine sm = new KvStateMachine();
    private long index;

    private KvTxnResult txn(SessionStamp stamp, List<KvTxn.Guard> guards, KvTxn.Op... ops) {
        return KvTxnCodec.decodeResult(sm.apply(++index, KvCodec.encode(new KvCommand.Txn(stamp, guards, List.of(ops)))));
    }

    private KvTxnResult txn(List<KvTxn.Guard> guards, KvTxn.Op... ops) {
        return txn(SessionStamp.anonymous(1_000), guards, ops);
    }

    private void put(String key, String value) {
        sm.apply(++index, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_000), key, value)));
    }

    private KvResult get(String key) {
        return KvCodec.decodeResult(sm.query(KvCodec.encodeGet(key)));
    }

    private static KvValue v(String text) {
        return KvValue.of(text);
    }

    @Test
    void everyOperationAppliesInOrderAndAnswersOneResultEach() {
        put("gone", "x");
        KvTxnResult r = txn(List.of(), KvTxn.Op.put("a", v("1")), KvTxn.Op.get("a"), KvTxn.Op.delete("gone"),
                KvTxn.Op.delete("never"), KvTxn.Op.append("l", v("x")), KvTxn.Op.append("l", v("y")), KvTxn.Op.get("l"));
        assertThat(r.status()).isEqualTo(KvResult.Status.OK);
        assertThat(r.index()).isEqualTo(index);
        assertThat(r.results()).extracting(KvResult::status).containsExactly(KvResult.Status.OK, KvResult.Status.OK,
                KvResult.Status.OK, KvResult.Status.NOT_FOUND, KvResult.Status.OK, KvResult.Status.OK, KvResult.Status.OK);
        assertThat(r.results().get(1).value()).contains(v("1"));
        assertThat(r.results().get(2).version()).as("a delete answers the version it deleted").isEqualTo(1);
        assertThat(r.results().get(6).value()).as("a read sees the transaction's own appends").contains(v("[\"x\",\"y\"]"));
        assertThat(r.results().get(6).version()).as("two appends, two versions").isEqualTo(2);
        assertThat(get("a").value()).contains(v("1"));
        assertThat(get("gone").status()).isEqualTo(KvResult.Status.NOT_FOUND);
        assertThat(KvList.decode(get("l").value().orElseThrow())).containsExactly("x", "y");
    }

    @Test
    void anAppendToAnAbsentKeyCreatesAListAndLaterAppendsExtendIt() {
        txn(List.of(), KvTxn.Op.append("l", v("1")));
        txn(List.of(), KvTxn.Op.append("l", v("2 \"quoted\"")));
        KvResult stored = get("l");
        assertThat(stored.value()).contains(v("[\"1\",\"2 \\\"quoted\\\"\"]"));
        assertThat(KvList.decode(stored.value().orElseThrow())).containsExactly("1", "2 \"quoted\"");
        assertThat(stored.version()).isEqualTo(2);
    }

    @Test
    void aFailedGuardAppliesNothingAndNamesTheFirstGuardThatFailed() {
        put("a", "1");
        KvTxnResult r = txn(List.of(KvTxn.Guard.valueIs("a", v("1")), KvTxn.Guard.versionIs("a", 7), KvTxn.Guard.exists("nope")),
                KvTxn.Op.put("b", v("2")), KvTxn.Op.append("l", v("x")));
        assertThat(r.status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(r.failedAt()).hasValue(1);
        assertThat(r.results()).isEmpty();
        assertThat(get("b").status()).isEqualTo(KvResult.Status.NOT_FOUND);
        assertThat(get("l").status()).isEqualTo(KvResult.Status.NOT_FOUND);
    }

    @Test
    void eachGuardKindHoldsExactlyWhenItShould() {
        put("a", "1");
        assertThat(txn(List.of(KvTxn.Guard.valueIs("a", v("1")))).status()).isEqualTo(KvResult.Status.OK);
        assertThat(txn(List.of(KvTxn.Guard.valueIs("a", v("2")))).status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(txn(List.of(KvTxn.Guard.valueIs("absent", v("")))).status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(txn(List.of(KvTxn.Guard.versionIs("a", 1))).status()).isEqualTo(KvResult.Status.OK);
        assertThat(txn(List.of(KvTxn.Guard.versionIs("a", 2))).status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(txn(List.of(KvTxn.Guard.versionIs("absent", 0))).status()).isEqualTo(KvResult.Status.OK);
        assertThat(txn(List.of(KvTxn.Guard.versionIs("a", 0))).status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(txn(List.of(KvTxn.Guard.exists("a"))).status()).isEqualTo(KvResult.Status.OK);
        assertThat(txn(List.of(KvTxn.Guard.exists("absent"))).status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(txn(List.of(KvTxn.Guard.absent("absent"))).status()).isEqualTo(KvResult.Status.OK);
        assertThat(txn(List.of(KvTxn.Guard.absent("a"))).status()).isEqualTo(KvResult.Status.GUARD_FAILED);
    }

    @Test
    void guardsSeeTheStateBeforeTheTransactionNotItsOwnWrites() {
        KvTxnResult r = txn(List.of(KvTxn.Guard.absent("a")), KvTxn.Op.put("a", v("1")), KvTxn.Op.put("a", v("2")));
        assertThat(r.status()).isEqualTo(KvResult.Status.OK);
        assertThat(get("a").value()).contains(v("2"));
        assertThat(get("a").version()).isEqualTo(2);
    }

    @Test
    void anAppendToAValueThatIsNotAListUndoesTheOperationsBeforeIt() {
        put("plain", "not a list");
        put("kept", "old");
        KvTxnResult r = txn(List.of(), KvTxn.Op.put("kept", v("new")), KvTxn.Op.delete("plain"), KvTxn.Op.put("plain", v("x")),
                KvTxn.Op.append("plain", v("y")));
        assertThat(r.status()).isEqualTo(KvResult.Status.NOT_A_LIST);
        assertThat(r.failedAt()).hasValue(3);
        assertThat(get("kept").value()).contains(v("old"));
        assertThat(get("kept").version()).isEqualTo(1);
        assertThat(get("plain").value()).contains(v("not a list"));
        assertThat(sm.heapBytes()).as("the refused writes counted no heap").isEqualTo(heapAfterOnlyTheTwoPuts());
    }

    private static long heapAfterOnlyTheTwoPuts() {
        KvStateMachine fresh = new KvStateMachine();
        long i = 0;
        fresh.apply(++i, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_000), "plain", "not a list")));
        fresh.apply(++i, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1_000), "kept", "old")));
        return fresh.heapBytes();
    }

    @Test
    void valuesThatAreNotAJsonArrayOfStringsAreNotLists() {
        for (String notAList : new String[]{"", "[", "[1]", "[\"a\"] x", "{}", "\"a\"", "[\"a\",null]"}) {
            put("k", notAList);
            assertThat(txn(List.of(), KvTxn.Op.append("k", v("e"))).status()).as("'%s'", notAList).isEqualTo(KvResult.Status.NOT_A_LIST);
        }
        put("k", "[ \"a\" ]");
        assertThat(txn(List.of(), KvTxn.Op.append("k", v("b"))).status()).isEqualTo(KvResult.Status.OK);
        assertThat(get("k").value()).as("rewritten compactly, the same on every replica").contains(v("[\"a\",\"b\"]"));
        assertThat(txn(List.of(), KvTxn.Op.append("k", KvValue.of(new byte[]{(byte) 0xFF}))).status())
                .as("an element that is not text").isEqualTo(KvResult.Status.NOT_A_LIST);
    }

    @Test
    void anAppendThatWouldGrowAListPastTheLimitIsRefusedAndChangesNothing() {
        String big = "x".repeat(KvTxn.MAX_LIST_BYTES / 2);
        assertThat(txn(List.of(), KvTxn.Op.append("l", v(big))).status()).isEqualTo(KvResult.Status.OK);
        KvTxnResult r = txn(List.of(), KvTxn.Op.put("other", v("1")), KvTxn.Op.append("l", v(big)));
        assertThat(r.status()).isEqualTo(KvResult.Status.LIST_TOO_LARGE);
        assertThat(r.failedAt()).hasValue(1);
        assertThat(get("other").status()).isEqualTo(KvResult.Status.NOT_FOUND);
        assertThat(get("l").version()).isEqualTo(1);
    }

    @Test
    void aRetriedTransactionIsNotAppliedTwiceAndSaysItsReadsAreForgotten() {
        SessionStamp first = new SessionStamp(9, 1, 1_000);
        KvTxnResult original = txn(first, List.of(), KvTxn.Op.append("l", v("1")), KvTxn.Op.get("l"));
        KvTxnResult retry = txn(new SessionStamp(9, 1, 2_000), List.of(), KvTxn.Op.append("l", v("1")), KvTxn.Op.get("l"));
        assertThat(retry.status()).isEqualTo(KvResult.Status.OK);
        assertThat(retry.index()).isEqualTo(original.index());
        assertThat(retry.origin()).isEqualTo(KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN);
        assertThat(retry.results()).isEmpty();
        assertThat(KvList.decode(get("l").value().orElseThrow())).containsExactly("1");

        KvTxnResult reused = txn(new SessionStamp(9, 1, 3_000), List.of(), KvTxn.Op.append("l", v("2")));
        assertThat(reused.status()).isEqualTo(KvResult.Status.SEQUENCE_REUSED);
        assertThat(reused.index()).isEqualTo(original.index());
        assertThat(txn(new SessionStamp(9, 2, 3_000), List.of(), KvTxn.Op.append("l", v("2"))).status()).isEqualTo(KvResult.Status.OK);
        assertThat(txn(new SessionStamp(9, 1, 3_000), List.of(), KvTxn.Op.append("l", v("1"))).status())
                .isEqualTo(KvResult.Status.STALE_SEQUENCE);
        assertThat(KvList.decode(get("l").value().orElseThrow())).containsExactly("1", "2");
    }

    @Test
    void aRetryOfATransactionWhoseGuardFailedGetsTheSameRefusal() {
        KvTxnResult original = txn(new SessionStamp(4, 1, 1_000), List.of(KvTxn.Guard.exists("a")), KvTxn.Op.put("b", v("1")));
        put("a", "now it exists");
        KvTxnResult retry = txn(new SessionStamp(4, 1, 1_000), List.of(KvTxn.Guard.exists("a")), KvTxn.Op.put("b", v("1")));
        assertThat(original.status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(retry.status()).isEqualTo(KvResult.Status.GUARD_FAILED);
        assertThat(retry.duplicate()).isTrue();
        assertThat(get("b").status()).isEqualTo(KvResult.Status.NOT_FOUND);
    }

    @Test
    void aTransactionAndTheSamePutsAsSingleCommandsLeaveTheSameEntries() {
        txn(List.of(), KvTxn.Op.put("a", v("1")), KvTxn.Op.delete("a"), KvTxn.Op.put("a", v("2")));
        KvResult a = get("a");
        assertThat(a.value()).contains(v("2"));
        assertThat(a.version()).as("recreated after the delete").isEqualTo(1);
        assertThat(a.createIndex()).isEqualTo(index);
        assertThat(a.modIndex()).isEqualTo(index);
        assertThat(Optional.of(sm.size())).contains(1);
    }
}
