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
}
