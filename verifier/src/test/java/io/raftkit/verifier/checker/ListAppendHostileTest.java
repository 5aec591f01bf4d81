package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed list-append histories are refused with the line named, never read as some other
 * history: a guessed micro-op or a silently dropped read would give a verdict about a history
 * nobody recorded.
 */
class ListAppendHostileTest {

    @TempDir
    Path dir;

    private void check(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        new ListAppendChecker().check(file);
    }

    private static String edn(String... events) {
        return "[" + String.join("\n", events) + "]";
    }

    @Test
    void aMicroOpWithTooFewPartsIsRefusedNamingTheLine() {
        assertThatThrownBy(() -> check("short.edn", edn(
                "{:process 0 :type :invoke :f :txn :value [[:r :x nil]]}",
                "{:process 0 :type :ok :f :txn :value [[:r :x []]]}",
                "{:process 0 :type :invoke :f :txn :value [[:r :x nil] [:append :x]]}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 3 (event 2): micro-op 2 of the transaction, [:append :x], is not [:append key value] or [:r key list]");
    }

    @Test
    void anUnknownMicroOpFunctionIsRefused() {
        assertThatThrownBy(() -> check("f.edn", edn("{:process 0 :type :invoke :f :txn :value [[:write :x 1]]}")))
                .hasMessageContaining("line 1 (event 0): micro-op 1 of the transaction, [:write :x 1], has the function :write; only :append and :r are known");
    }

    @Test
    void aReadOfSomethingOtherThanAListIsRefused() {
        assertThatThrownBy(() -> check("read.edn", edn(
                "{:process 0 :type :invoke :f :txn :value [[:r :x nil]]}",
                "{:process 0 :type :ok :f :txn :value [[:r :x 5]]}")))
                .hasMessageContaining("line 2 (event 1): micro-op 1 of the transaction, [:r :x 5], reads something that is not a list of values");
    }

    @Test
    void anOkReadWithNoListIsRefusedRatherThanTreatedAsUnknown() {
        assertThatThrownBy(() -> check("nil.edn", edn(
                "{:process 0 :type :invoke :f :txn :value [[:r :x nil]]}",
                "{:process 0 :type :ok :f :txn :value [[:r :x nil]]}")))
                .hasMessageContaining("line 2 (event 1): micro-op 1 of the transaction, [:r :x nil], is a read with no list in an :ok completion");
    }

    @Test
    void anAppendOfNothingIsRefused() {
        assertThatThrownBy(() -> check("append.edn", edn("{:process 0 :type :invoke :f :txn :value [[:append :x nil]]}")))
                .hasMessageContaining("line 1 (event 0): micro-op 1 of the transaction, [:append :x nil], appends no value");
    }

    @Test
    void aTransactionThatIsNotAListIsRefused() {
        assertThatThrownBy(() -> check("value.edn", edn("{:process 0 :type :invoke :f :txn :value 5}")))
                .hasMessageContaining("line 1 (event 0): a transaction's value must be a list of micro-ops");
    }

    @Test
    void anOkCompletionThatDoesNotMatchItsInvocationIsRefused() {
        assertThatThrownBy(() -> check("shape.edn", edn(
                "{:process 0 :type :invoke :f :txn :value [[:append :x 1]]}",
                "{:process 0 :type :ok :f :txn :value [[:append :x 2]]}")))
                .hasMessageContaining("line 2 (event 1): the :ok completion's micro-ops [[:append :x 2]] do not match the invocation's");
    }

    @Test
    void aValueAppendedTwiceToOneKeyIsRefusedNamingBothLines() {
        assertThatThrownBy(() -> check("twice.edn", edn(
                "{:process 0 :type :invoke :f :txn :value [[:append :x 1]]}",
                "{:process 0 :type :ok :f :txn :value [[:append :x 1]]}",
                "{:process 1 :type :invoke :f :txn :value [[:append :x 1]]}",
                "{:process 1 :type :ok :f :txn :value [[:append :x 1]]}")))
                .hasMessageContaining("line 3 (event 2): appends 1 to key :x, which line 1 (event 0) appends too");
    }

    @Test
    void anOperationOtherThanATransactionIsRefused() {
        assertThatThrownBy(() -> check("read.edn", edn("{:process 0 :type :invoke :f :read :value nil}")))
                .hasMessageContaining("line 1 (event 0): :f :read is not an operation of the list-append model (:txn)");
    }

    @Test
    void aMalformedMicroOpInJsonlIsRefusedNamingItsLine() {
        assertThatThrownBy(() -> check("bad.jsonl", """
                {"process":0,"type":"invoke","f":"txn","value":[["append","x",1]]}
                {"process":0,"type":"ok","f":"txn","value":[["append","x",1]]}
                {"process":1,"type":"invoke","f":"txn","value":[["r","x",null],["append",null,3]]}
                """)).hasMessageContaining("line 3 (event 2): micro-op 2 of the transaction, [\"append\" nil 3], has no key");
    }
}
