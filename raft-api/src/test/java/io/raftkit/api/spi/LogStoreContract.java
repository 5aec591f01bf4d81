package io.raftkit.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.EntryKind;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LogStore} must do. A plugin's test extends this class and says how to open a
 * store; durable stores also say how to reopen one, and the reopen tests check what survives.
 */
public abstract class LogStoreContract {

    protected LogStore store;

    /** A new, empty store. */
    protected abstract LogStore openNew() throws Exception;

    /**
     * Closes {@code current} and opens the same store again, or returns null for a store that keeps
     * nothing across reopening (the memory store): the durability tests are then skipped.
     */
    protected abstract LogStore reopen(LogStore current) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = openNew();
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    protected static LogEntry entry(long index, long term) {
        return new LogEntry(index, term, EntryKind.COMMAND,
                ("entry-" + index + "-" + term).getBytes(StandardCharsets.UTF_8));
    }

    protected static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(entry(i, term));
        }
        return list;
    }

    @Test
    void aNewStoreIsEmptyWithInitialHardState() throws Exception {
        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.lastIndex()).isEqualTo(0);
        assertThat(store.term(0)).isEqualTo(0);
        assertThat(store.loadHardState()).isEqualTo(HardState.INITIAL);
        assertThat(store.entries(1, 0, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void appendedEntriesReadBackIntactWithTheirTerms() throws Exception {
        List<LogEntry> batch = entries(1, 10, 1);
        batch.set(3, LogEntry.noOp(4, 1));
        store.append(batch);
        assertThat(store.lastIndex()).isEqualTo(10);
        assertThat(store.entries(1, 10, Long.MAX_VALUE)).containsExactlyElementsOf(batch);
        assertThat(store.entries(4, 6, Long.MAX_VALUE)).containsExactlyElementsOf(batch.subList(3, 6));
        assertThat(store.term(7)).isEqualTo(1);
    }

    @Test
    void batchesAppendConsecutively() throws Exception {
        store.append(entries(1, 3, 1));
        store.append(entries(4, 5, 2));
        assertThat(store.lastIndex()).isEqualTo(5);
        assertThat(store.term(3)).isEqualTo(1);
        assertThat(store.term(4)).isEqualTo(2);
    }

    @Test
    void appendingAtOrBelowTheLastIndexDiscardsTheStoredSuffixFirst() throws Exception {
        store.append(entries(1, 10, 1));
        store.append(entries(6, 7, 2));
        assertThat(store.lastIndex()).isEqualTo(7);
        assertThat(store.term(5)).isEqualTo(1);
        assertThat(store.term(6)).isEqualTo(2);
        assertThat(store.entries(1, 7, Long.MAX_VALUE)).extracting(LogEntry::term)
                .containsExactly(1L, 1L, 1L, 1L, 1L, 2L, 2L);
    }

    @Test
    void appendingBeyondTheLastIndexPlusOneIsRefused() throws Exception {
        store.append(entries(1, 3, 1));
        assertThatThrownBy(() -> store.append(entries(5, 6, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastIndex()).isEqualTo(3);
    }

    @Test
    void appendingAnEmptyBatchChangesNothing() throws Exception {
        store.append(entries(1, 3, 1));
        store.append(List.of());
        assertThat(store.lastIndex()).isEqualTo(3);
    }

    @Test
    void rangeReadsStopAtTheByteLimitButReturnAtLeastOneEntry() throws Exception {
        store.append(entries(1, 100, 1));
        int one = entry(1, 1).sizeInBytes();
        assertThat(store.entries(1, 100, 1)).hasSize(1);
        List<LogEntry> some = store.entries(1, 100, one * 10L);
        assertThat(some.size()).isBetween(1, 11);
        assertThat(some.get(0).index()).isEqualTo(1);
        for (int i = 1; i < some.size(); i++) {
            assertThat(some.get(i).index()).isEqualTo(some.get(i - 1).index() + 1);
        }
        assertThat(store.entries(1, 100, Long.MAX_VALUE)).hasSize(100);
    }

    @Test
    void hardStateRoundTrips() throws Exception {
        HardState state = new HardState(7, NodeId.of("n2"), 42);
        store.saveHardState(state);
        assertThat(store.loadHardState()).isEqualTo(state);
        HardState noVote = new HardState(8, null, 42);
        store.saveHardState(noVote);
        assertThat(store.loadHardState()).isEqualTo(noVote);
    }

    @Test
    void compactionDiscardsThePrefixButKeepsTheTermAtItsEnd() throws Exception {
        store.append(entries(1, 5, 1));
        store.append(entries(6, 10, 2));
        store.compact(6);
        assertThat(store.firstIndex()).isEqualTo(7);
        assertThat(store.lastIndex()).isEqualTo(10);
        assertThat(store.term(6)).isEqualTo(2);
        assertThat(store.entries(7, 10, Long.MAX_VALUE)).extracting(LogEntry::index)
                .containsExactly(7L, 8L, 9L, 10L);
        store.append(entries(11, 12, 3));
        assertThat(store.lastIndex()).isEqualTo(12);
    }

    @Test
    void appendingIntoTheCompactedPrefixIsRefused() throws Exception {
        store.append(entries(1, 10, 1));
        store.compact(5);
        assertThatThrownBy(() -> store.append(entries(3, 4, 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastIndex()).isEqualTo(10);
    }

    @Test
    void entriesAndHardStateSurviveReopening() throws Exception {
        store.append(entries(1, 20, 1));
        store.append(entries(15, 16, 2));
        HardState state = new HardState(2, NodeId.of("n1"), 12);
        store.saveHardState(state);
        LogStore reopened = reopen(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "this store keeps nothing across reopening");
        store = reopened;
        assertThat(store.lastIndex()).isEqualTo(16);
        assertThat(store.term(16)).isEqualTo(2);
        assertThat(store.term(14)).isEqualTo(1);
        assertThat(store.loadHardState()).isEqualTo(state);
        assertThat(store.entries(1, 16, Long.MAX_VALUE)).hasSize(16);
    }

    @Test
    void compactionSurvivesReopening() throws Exception {
        store.append(entries(1, 10, 3));
        store.compact(4);
        LogStore reopened = reopen(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "this store keeps nothing across reopening");
        store = reopened;
        assertThat(store.firstIndex()).isEqualTo(5);
        assertThat(store.term(4)).isEqualTo(3);
        assertThat(store.lastIndex()).isEqualTo(10);
    }

    @Test
    void compactionUpToTheLastIndexLeavesAnEmptyLogThatStillKnowsTheTermThere() throws Exception {
        store.append(entries(1, 8, 2));
        store.compact(8);
        assertThat(store.firstIndex()).isEqualTo(9);
        assertThat(store.lastIndex()).isEqualTo(8);
        assertThat(store.term(8)).isEqualTo(2);
        assertThat(store.entries(9, 8, Long.MAX_VALUE)).isEmpty();
        store.append(entries(9, 9, 3));
        assertThat(store.term(9)).isEqualTo(3);
    }

    @Test
    void compactionBelowTheFirstIndexChangesNothing() throws Exception {
        store.append(entries(1, 8, 2));
        store.compact(5);
        store.compact(3);
        assertThat(store.firstIndex()).isEqualTo(6);
        assertThat(store.term(5)).isEqualTo(2);
    }

    @Test
    void compactionBeyondTheLastIndexIsRefused() throws Exception {
        store.append(entries(1, 4, 1));
        assertThatThrownBy(() -> store.compact(5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.lastIndex()).isEqualTo(4);
    }

    @Test
    void resetPastTheEndRestartsTheLogAfterTheSnapshot() throws Exception {
        store.append(entries(1, 5, 1));
        store.reset(10, 3);
        assertThat(store.firstIndex()).isEqualTo(11);
        assertThat(store.lastIndex()).isEqualTo(10);
        assertThat(store.term(10)).isEqualTo(3);
        assertThat(store.entries(11, 20, Long.MAX_VALUE)).isEmpty();
        store.append(entries(11, 12, 4));
        assertThat(store.lastIndex()).isEqualTo(12);
        assertThat(store.term(11)).isEqualTo(4);
        assertThat(store.entries(11, 12, Long.MAX_VALUE)).extracting(LogEntry::index).containsExactly(11L, 12L);
    }

    @Test
    void resetBelowTheEndDiscardsEveryEntryEvenThoseAfterTheSnapshot() throws Exception {
        store.append(entries(1, 10, 1));
        store.reset(4, 7);
        assertThat(store.firstIndex()).isEqualTo(5);
        assertThat(store.lastIndex()).isEqualTo(4);
        assertThat(store.term(4)).isEqualTo(7);
        store.append(entries(5, 6, 7));
        assertThat(store.entries(5, 6, Long.MAX_VALUE)).extracting(LogEntry::term).containsExactly(7L, 7L);
    }

    @Test
    void resetKeepsTheHardState() throws Exception {
        HardState state = new HardState(5, NodeId.of("n3"), 2);
        store.append(entries(1, 3, 1));
        store.saveHardState(state);
        store.reset(20, 4);
        assertThat(store.loadHardState()).isEqualTo(state);
    }

    @Test
    void appendingIntoTheResetPrefixOrPastItsEndIsRefused() throws Exception {
        store.append(entries(1, 3, 1));
        store.reset(10, 2);
        assertThatThrownBy(() -> store.append(entries(10, 10, 2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append(entries(12, 12, 2))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastIndex()).isEqualTo(10);
    }

    @Test
    void resetOfAnEmptyStoreWorks() throws Exception {
        store.reset(1, 1);
        assertThat(store.firstIndex()).isEqualTo(2);
        assertThat(store.term(1)).isEqualTo(1);
        store.reset(7, 2);
        assertThat(store.firstIndex()).isEqualTo(8);
        assertThat(store.term(7)).isEqualTo(2);
    }

    @Test
    void resetSurvivesReopening() throws Exception {
        store.append(entries(1, 6, 1));
        store.compact(2);
        store.reset(30, 5);
        store.append(entries(31, 33, 5));
        LogStore reopened = reopen(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "this store keeps nothing across reopening");
        store = reopened;
        assertThat(store.firstIndex()).isEqualTo(31);
        assertThat(store.lastIndex()).isEqualTo(33);
        assertThat(store.term(30)).isEqualTo(5);
        assertThat(store.entries(31, 33, Long.MAX_VALUE)).extracting(LogEntry::index).containsExactly(31L, 32L, 33L);
    }

    @Test
    void aResetWithNothingAppendedAfterItSurvivesReopening() throws Exception {
        store.append(entries(1, 6, 1));
        store.reset(3, 2);
        LogStore reopened = reopen(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "this store keeps nothing across reopening");
        store = reopened;
        assertThat(store.firstIndex()).isEqualTo(4);
        assertThat(store.lastIndex()).isEqualTo(3);
        assertThat(store.term(3)).isEqualTo(2);
    }

    @Test
    void compactionUpToTheLastIndexSurvivesReopening() throws Exception {
        store.append(entries(1, 6, 2));
        store.compact(6);
        LogStore reopened = reopen(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "this store keeps nothing across reopening");
        store = reopened;
        assertThat(store.firstIndex()).isEqualTo(7);
        assertThat(store.lastIndex()).isEqualTo(6);
        assertThat(store.term(6)).isEqualTo(2);
    }

    @Test
    void resetBelowTheCommitIndexIsRefused() throws Exception {
        store.append(entries(1, 10, 1));
        store.saveHardState(new HardState(1, null, 8));
        assertThatThrownBy(() -> store.reset(5, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastIndex()).isEqualTo(10);
        store.reset(8, 1);
        assertThat(store.firstIndex()).isEqualTo(9);
    }
}
