package io.raftkit.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftLogTest {

    private static List<LogEntry> terms(long firstIndex, long... terms) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            out.add(LogEntry.command(firstIndex + i, terms[i], new byte[] {(byte) i}));
        }
        return out;
    }

    @Test
    void entriesAlreadyPresentAreNotRewrittenAndNewOnesAreAppended() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1, 1, 2));
        long lastNew = log.appendFromLeader(1, terms(2, 1, 2, 2), 0);
        assertThat(lastNew).isEqualTo(4);
        assertThat(log.lastIndex()).isEqualTo(4);
        assertThat(log.stableIndex()).isEqualTo(3);
        assertThat(log.takeUnpersisted()).extracting(LogEntry::index).containsExactly(4L);
    }

    @Test
    void aConflictingEntryAndAllThatFollowItAreDeleted() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1, 1, 1, 1));
        log.appendFromLeader(1, terms(2, 2), 0);
        assertThat(log.lastIndex()).isEqualTo(2);
        assertThat(log.term(2)).isEqualTo(2);
        assertThat(log.stableIndex()).isEqualTo(1);
    }

    @Test
    void entriesAreHandedOutOnceAndStayUnstableUntilConfirmed() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1));
        log.append(LogEntry.command(2, 1, new byte[0]));
        log.append(LogEntry.command(3, 1, new byte[0]));
        assertThat(log.takeUnpersisted()).extracting(LogEntry::index).containsExactly(2L, 3L);
        log.append(LogEntry.command(4, 1, new byte[0]));
        // 2 and 3 are still being written: only 4 is new to the driver, but all three are unstable.
        assertThat(log.takeUnpersisted()).extracting(LogEntry::index).containsExactly(4L);
        assertThat(log.hasUnpersisted()).isFalse();
        assertThat(log.stableIndex()).isEqualTo(1);
        assertThat(log.lastIndex()).isEqualTo(4);
        log.stableTo(3, 1);
        assertThat(log.stableIndex()).isEqualTo(3);
    }

    @Test
    void aTruncationHandsOutTheReplacementEvenWhenTheDeletedEntriesAreStillBeingWritten() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1));
        log.appendFromLeader(1, terms(2, 1, 1, 1), 0);
        assertThat(log.takeUnpersisted()).extracting(LogEntry::index).containsExactly(2L, 3L, 4L);
        log.appendFromLeader(2, terms(3, 2), 0);
        assertThat(log.takeUnpersisted()).extracting(LogEntry::term).containsExactly(2L);
        // The write of the deleted 2..4 (term 1) completes late: index 4 is gone, nothing becomes stable.
        log.stableTo(4, 1);
        assertThat(log.stableIndex()).isEqualTo(1);
        log.stableTo(3, 2);
        assertThat(log.stableIndex()).isEqualTo(3);
    }

    @Test
    void deletingACommittedEntryIsAnInvariantViolation() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1, 1, 1));
        assertThatThrownBy(() -> log.appendFromLeader(1, terms(2, 2), 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("committed");
    }

    @Test
    void upToDateComparesLastTermsFirstThenLengths() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1, 2, 2));
        assertThat(log.isUpToDate(1, 3)).isTrue();
        assertThat(log.isUpToDate(3, 2)).isTrue();
        assertThat(log.isUpToDate(2, 2)).isFalse();
        assertThat(log.isUpToDate(9, 1)).isFalse();
    }

    @Test
    void theConflictHintNamesTheFirstIndexOfTheConflictingTerm() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1, 3, 3, 3, 4));
        assertThat(log.firstIndexOfTerm(4, 3)).isEqualTo(2);
        assertThat(log.lastIndexOfTerm(3)).isEqualTo(4);
        assertThat(log.lastIndexOfTerm(2)).isZero();
    }

    @Test
    void slicesRespectCountAndByteLimitsButAlwaysCarryOneEntry() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1, 1, 1, 1, 1));
        assertThat(log.slice(1, 5, 2, Long.MAX_VALUE)).hasSize(2);
        assertThat(log.slice(1, 5, 100, 1)).hasSize(1);
        assertThat(log.slice(3, 2, 100, 100)).isEmpty();
    }

    @Test
    void aCompactedPrefixKeepsItsLastTermForTheConsistencyCheck() {
        RaftLog log = new RaftLog(10, 4, terms(11, 4, 5));
        assertThat(log.firstIndex()).isEqualTo(11);
        assertThat(log.term(10)).isEqualTo(4);
        assertThat(log.term(9)).isEqualTo(-1);
        assertThat(log.matchTerm(10, 4)).isTrue();
        assertThatThrownBy(() -> log.slice(5, 12, 10, 100)).hasMessageContaining("compacted");
    }

    // ---------------------------------------------------------------- bounded memory (issue 16)

    private static RaftLog cached(int entries, long bytes, List<LogEntry> stored) {
        return new RaftLog(0, 0, stored, entries, bytes);
    }

    @Test
    void onlyEntriesAtOrBelowTheGivenIndexAndDurableLeaveMemoryAndOnlyBeyondTheCache() {
        RaftLog log = cached(2, Long.MAX_VALUE, terms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)); // 1..10, durable
        log.append(LogEntry.command(11, 2, new byte[1])); // not durable
        log.evict(4);
        assertThat(log.firstInMemory()).isEqualTo(5); // nothing above the given index goes
        log.evict(100);
        assertThat(log.firstInMemory()).as("durable entries down to the cache, the new one kept").isEqualTo(10);
        assertThat(log.entriesInMemory()).isEqualTo(2);
        assertThat(log.takeUnpersisted()).extracting(LogEntry::index).containsExactly(11L);
        assertThatThrownBy(() -> log.entry(9)).hasMessageContaining("not in memory");
        assertThatThrownBy(() -> log.slice(9, 11, 10, 100)).hasMessageContaining("not in memory");
    }

    @Test
    void theByteLimitEvictsTooAndTheBytesHeldAreCounted() {
        RaftLog log = cached(1_000, 60, terms(1, 1, 1, 1, 1, 1)); // each entry 25 bytes with its header
        assertThat(log.memoryBytes()).isEqualTo(5 * 25);
        log.evict(5);
        assertThat(log.memoryBytes()).isLessThanOrEqualTo(60);
        assertThat(log.entriesInMemory()).isEqualTo(1); // down to three quarters of 60 bytes
    }

    @Test
    void everyTermStaysKnownAfterItsEntriesLeaveMemory() {
        RaftLog log = cached(0, 0, terms(1, 1, 1, 2, 2, 5, 5, 5, 5, 7)); // indexes 1..9
        log.evict(9);
        assertThat(log.entriesInMemory()).isZero();
        assertThat(log.lastIndex()).isEqualTo(9);
        assertThat(log.lastTerm()).isEqualTo(7);
        assertThat(List.of(log.term(1), log.term(2), log.term(3), log.term(4), log.term(5), log.term(6), log.term(8), log.term(9)))
                .containsExactly(1L, 1L, 2L, 2L, 5L, 5L, 5L, 7L);
        assertThat(log.term(10)).isZero();
        assertThat(log.firstIndexOfTerm(7, 5)).isEqualTo(5);
        assertThat(log.lastIndexOfTerm(2)).isEqualTo(4);
        assertThat(log.lastIndexOfTerm(3)).isZero();
        assertThat(log.lastIndexOfTerm(7)).isEqualTo(9);
        assertThat(log.isUpToDate(9, 7)).isTrue();
        assertThat(log.isUpToDate(20, 6)).isFalse();
    }

    @Test
    void aTruncatedSuffixTakesItsTermsAlong() {
        RaftLog log = new RaftLog(0, 0, terms(1, 1, 1, 3, 3, 4)); // 1..5: terms 1 1 3 3 4
        log.appendFromLeader(2, terms(3, 2, 2, 2, 2), 1); // replaces 3..5 with term 2 and adds 6
        assertThat(List.of(log.term(3), log.term(4), log.term(5), log.term(6))).containsExactly(2L, 2L, 2L, 2L);
        assertThat(log.lastIndexOfTerm(3)).isZero();
        assertThat(log.lastIndexOfTerm(2)).isEqualTo(6);
        assertThat(log.firstIndexOfTerm(6, 2)).isEqualTo(3);
        assertThat(log.lastTerm()).isEqualTo(2);
    }

    @Test
    void compactionKeepsTheTermsAboveItAndTheLastOneAtIt() {
        RaftLog log = cached(0, 0, terms(1, 1, 1, 2, 2, 3));
        log.evict(3);
        assertThat(log.compact(4)).as("bytes dropped from memory").isEqualTo(25);
        assertThat(log.term(4)).isEqualTo(2);
        assertThat(log.term(3)).isEqualTo(-1);
        assertThat(log.term(5)).isEqualTo(3);
        assertThat(log.firstIndexOfTerm(5, 3)).isEqualTo(5);
        log.compact(5);
        assertThat(log.lastTerm()).isEqualTo(3);
        log.append(LogEntry.command(6, 4, new byte[1]));
        assertThat(log.term(6)).isEqualTo(4);
        assertThat(log.term(5)).isEqualTo(3);
    }

    @Test
    void aResetLogHasOnlyTheSnapshotsEnd() {
        RaftLog log = cached(0, 0, terms(1, 1, 1, 2));
        log.evict(3);
        log.resetTo(10, 5);
        assertThat(log.lastIndex()).isEqualTo(10);
        assertThat(log.lastTerm()).isEqualTo(5);
        assertThat(log.memoryBytes()).isZero();
        log.append(LogEntry.command(11, 6, new byte[1]));
        assertThat(log.term(11)).isEqualTo(6);
        assertThat(log.firstInMemory()).isEqualTo(11);
    }
}
