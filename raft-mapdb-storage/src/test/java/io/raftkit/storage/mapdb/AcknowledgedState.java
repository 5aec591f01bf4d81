package io.raftkit.storage.mapdb;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the store acknowledged, so far as the storage fault model knows: the log as (index, term)
 * pairs (the payload is a function of them, {@link FaultModelWorkload#payload}), the compaction
 * point and the hard state. A reopened store must hold exactly this, or this with the one operation
 * a crash interrupted.
 */
final class AcknowledgedState {

    long firstIndex = 1;
    long compactedTerm;
    final TreeMap<Long, Long> terms = new TreeMap<>();
    HardState hardState = HardState.INITIAL;

    AcknowledgedState copy() {
        AcknowledgedState s = new AcknowledgedState();
        s.firstIndex = firstIndex;
        s.compactedTerm = compactedTerm;
        s.terms.putAll(terms);
        s.hardState = hardState;
        return s;
    }

    long lastIndex() {
        return terms.isEmpty() ? firstIndex - 1 : terms.lastKey();
    }

    long lastTerm() {
        return terms.isEmpty() ? compactedTerm : terms.lastEntry().getValue();
    }

    void apply(FaultModelWorkload.Op op) {
        if (op instanceof FaultModelWorkload.Append a) {
            terms.tailMap(a.from(), true).clear();
            for (long i = a.from(); i < a.from() + a.count(); i++) {
                terms.put(i, a.term());
            }
        } else if (op instanceof FaultModelWorkload.Compact c) {
            compactedTerm = terms.get(c.index());
            terms.headMap(c.index(), true).clear();
            firstIndex = c.index() + 1;
        } else if (op instanceof FaultModelWorkload.Save s) {
            hardState = s.hardState();
        } else if (op instanceof FaultModelWorkload.Reset r) {
            terms.clear();
            firstIndex = r.index() + 1;
            compactedTerm = r.term();
        } else {
            throw new AssertionError("unhandled " + op);
        }
    }

    AcknowledgedState with(FaultModelWorkload.Op op) {
        AcknowledgedState s = copy();
        s.apply(op);
        return s;
    }

    /** Null when {@code store} holds exactly this state, else what differs. */
    String differenceFrom(LogStore store) throws IOException {
        String bounds = boundsDifference(store);
        if (bounds != null) {
            return bounds;
        }
        if (store.lastIndex() != lastIndex()) {
            return "the store holds entries " + store.firstIndex() + ".." + store.lastIndex() + ", acknowledged "
                    + firstIndex + ".." + lastIndex();
        }
        return entriesDifference(store, lastIndex());
    }

    /**
     * After a fault that lost the end of a segment (outside what a crash can do): the hard state,
     * the compaction point and every entry up to the commit index must be intact; entries above it
     * may be gone or be older ones the lost frames had replaced. Null when so.
     */
    String differenceUpToCommit(LogStore store) throws IOException {
        String bounds = boundsDifference(store);
        if (bounds != null) {
            return bounds;
        }
        long commit = hardState.commitIndex();
        if (store.lastIndex() < Math.min(commit, lastIndex())) {
            return "the store's log ends at " + store.lastIndex() + ", below the stored commit index " + commit;
        }
        String committed = entriesDifference(store, Math.min(commit, lastIndex()));
        if (committed != null) {
            return committed;
        }
        for (LogEntry e : store.entries(Math.max(firstIndex, commit + 1), store.lastIndex(), Long.MAX_VALUE)) {
            if (!e.equals(FaultModelWorkload.entry(e.index(), e.term()))) {
                return "entry " + e + " above the commit index is not any entry the workload wrote";
            }
        }
        return null;
    }

    /** Takes the store's log as the acknowledged one, after {@link #differenceUpToCommit} accepted it. */
    void adoptLogOf(LogStore store) throws IOException {
        terms.clear();
        for (LogEntry e : store.entries(store.firstIndex(), store.lastIndex(), Long.MAX_VALUE)) {
            terms.put(e.index(), e.term());
        }
    }

    private String boundsDifference(LogStore store) throws IOException {
        if (store.firstIndex() != firstIndex) {
            return "the store's first index is " + store.firstIndex() + ", acknowledged " + firstIndex;
        }
        if (store.term(firstIndex - 1) != compactedTerm) {
            return "the term at " + (firstIndex - 1) + " is " + store.term(firstIndex - 1) + ", acknowledged " + compactedTerm;
        }
        if (!store.loadHardState().equals(hardState)) {
            return "the hard state is " + store.loadHardState() + ", acknowledged " + hardState;
        }
        return null;
    }

    private String entriesDifference(LogStore store, long upTo) throws IOException {
        if (upTo < firstIndex) {
            return null;
        }
        List<LogEntry> stored = store.entries(firstIndex, upTo, Long.MAX_VALUE);
        if (stored.size() != upTo - firstIndex + 1) {
            return "read " + stored.size() + " entries of " + firstIndex + ".." + upTo;
        }
        int i = 0;
        for (Map.Entry<Long, Long> expected : terms.headMap(upTo, true).entrySet()) {
            LogEntry e = stored.get(i++);
            LogEntry want = FaultModelWorkload.entry(expected.getKey(), expected.getValue());
            if (!e.equals(want)) {
                return "entry " + e + " differs from the acknowledged " + want
                        + (e.index() == want.index() && e.term() != want.term() ? " (a replaced entry is back)" : "");
            }
        }
        return null;
    }
}
