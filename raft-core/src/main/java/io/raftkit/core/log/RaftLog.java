package io.raftkit.core.log;

import io.raftkit.api.LogEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The log as the protocol sees it: entries above the compacted prefix, held in memory, with a
 * two marks: how much the driver was given to persist ({@code handedOutIndex}) and how much it has
 * confirmed durable ({@code stableIndex}). The driver takes the suffix above the first mark with
 * {@link #takeUnpersisted}, makes it durable (possibly while later suffixes are taken), and then
 * calls {@link #stableTo}.
 *
 * <p>Indexes are 1-based as in the paper. Index {@code snapshotIndex} is the last compacted entry;
 * its term is remembered so the consistency check of §5.3 still works at the boundary.
 */
public final class RaftLog {

    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long snapshotIndex;
    private long snapshotTerm;
    private long stableIndex;
    private long handedOutIndex;

    public RaftLog(long snapshotIndex, long snapshotTerm, List<LogEntry> stored) {
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        long expected = snapshotIndex + 1;
        for (LogEntry e : stored) {
            if (e.index() != expected) {
                throw new IllegalStateException("stored log has a gap or disorder: expected index " + expected + ", found " + e.index());
            }
            expected++;
            entries.add(e);
        }
        this.stableIndex = lastIndex();
        this.handedOutIndex = stableIndex;
    }

    public long snapshotIndex() {
        return snapshotIndex;
    }

    public long firstIndex() {
        return snapshotIndex + 1;
    }

    public long lastIndex() {
        return snapshotIndex + entries.size();
    }

    public long lastTerm() {
        return term(lastIndex());
    }

    /** The index up to which the driver has confirmed the log durable. */
    public long stableIndex() {
        return stableIndex;
    }

    /**
     * The term at {@code index}, 0 for index 0 or beyond the end, and -1 for an index that was
     * compacted away (a term no entry can have, so any match against it fails).
     */
    public long term(long index) {
        if (index == 0) {
            return 0; // before the first entry: every log matches there, compacted or not
        }
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex) {
            return -1;
        }
        if (index > lastIndex()) {
            return 0;
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    public boolean matchTerm(long index, long term) {
        return index <= lastIndex() && term(index) == term;
    }

    public LogEntry entry(long index) {
        return entries.get((int) (index - snapshotIndex - 1));
    }

    /** §5.4.1: the candidate's log is at least as up-to-date as ours. */
    public boolean isUpToDate(long lastIndex, long lastTerm) {
        long ourTerm = lastTerm();
        return lastTerm > ourTerm || (lastTerm == ourTerm && lastIndex >= lastIndex());
    }

    /**
     * Entries {@code from..to} inclusive, at most {@code maxCount} and stopping once {@code maxBytes}
     * is exceeded (one entry always fits). A view: callers must not keep it past the next mutation.
     */
    public List<LogEntry> slice(long from, long to, int maxCount, long maxBytes) {
        if (from > to) {
            return List.of();
        }
        if (from <= snapshotIndex) {
            throw new IllegalArgumentException("entries from " + from + " were compacted (first index " + firstIndex() + ")");
        }
        int start = (int) (from - snapshotIndex - 1);
        int end = (int) Math.min(to - snapshotIndex, entries.size());
        end = (int) Math.min(end, (long) start + maxCount);
        long bytes = 0;
        for (int i = start; i < end; i++) {
            bytes += entries.get(i).sizeInBytes();
            if (bytes > maxBytes && i > start) {
                end = i;
                break;
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(entries.subList(start, end)));
    }

    /** Whether entries exist that were never handed to the driver to persist. */
    public boolean hasUnpersisted() {
        return handedOutIndex < lastIndex();
    }

    /** Hands the entries above the handed-out mark to the driver, to be made durable in order. */
    public List<LogEntry> takeUnpersisted() {
        List<LogEntry> taken = slice(handedOutIndex + 1, lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE);
        handedOutIndex = lastIndex();
        return taken;
    }

    /** The driver made the log durable up to {@code index}, whose entry had {@code term}. */
    public void stableTo(long index, long term) {
        // A follower may have truncated and rewritten that index since the Ready was handed out;
        // then the durable entry is not ours and the new one is still to be written.
        if (index > stableIndex && matchTerm(index, term)) {
            stableIndex = index;
        }
    }

    /** A leader appends a new entry at the end. */
    public void append(LogEntry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append at " + entry.index() + " but last index is " + lastIndex());
        }
        entries.add(entry);
    }

    /**
     * A follower's AppendEntries handling after the §5.3 consistency check passed at
     * {@code prevLogIndex}: skip entries it already has, and at the first conflicting entry delete
     * it and all that follow, then append the rest. Returns the index of the last new entry.
     *
     * @param commitIndex nothing at or below it may be deleted: committed entries never change
     */
    public long appendFromLeader(long prevLogIndex, List<LogEntry> incoming, long commitIndex) {
        long index = prevLogIndex;
        int i = 0;
        for (; i < incoming.size(); i++) {
            LogEntry e = incoming.get(i);
            index = e.index();
            if (index <= snapshotIndex) {
                continue; // compacted, therefore committed, therefore identical (Log Matching)
            }
            if (index > lastIndex()) {
                break;
            }
            if (term(index) != e.term()) {
                if (index <= commitIndex) {
                    throw new IllegalStateException("leader's entry " + e + " conflicts with committed index " + index
                            + " (commit index " + commitIndex + "): Log Matching is broken");
                }
                truncateFrom(index);
                break;
            }
        }
        for (; i < incoming.size(); i++) {
            entries.add(incoming.get(i));
        }
        return prevLogIndex + incoming.size();
    }

    private void truncateFrom(long index) {
        entries.subList((int) (index - snapshotIndex - 1), entries.size()).clear();
        stableIndex = Math.min(stableIndex, index - 1);
        // The driver may still be writing the deleted entries; the replacements are handed out
        // next and written after them, so the suffix replacement lands last.
        handedOutIndex = Math.min(handedOutIndex, index - 1);
    }

    /**
     * Drops the entries up to {@code index} from memory once a durable snapshot covers them and the
     * LogStore compacted them (§7); the term of {@code index} stays known for the §5.3 check. Only
     * durable entries may go: those above {@link #stableIndex} are still to be written. Returns the
     * payload bytes dropped.
     */
    public long compact(long index) {
        if (index <= snapshotIndex) {
            return 0;
        }
        if (index > stableIndex) {
            throw new IllegalArgumentException("cannot compact to " + index + " above the durable index " + stableIndex);
        }
        long term = term(index);
        List<LogEntry> dropped = entries.subList(0, (int) (index - snapshotIndex));
        long bytes = 0;
        for (LogEntry e : dropped) {
            bytes += e.payload().length;
        }
        dropped.clear();
        snapshotIndex = index;
        snapshotTerm = term;
        return bytes;
    }

    /**
     * Replaces the whole log with a snapshot's end (§7, Figure 13 step 7: the log does not hold the
     * snapshot's last entry, or holds another term there): empty, starting after {@code index}.
     */
    public void resetTo(long index, long term) {
        entries.clear();
        snapshotIndex = index;
        snapshotTerm = term;
        stableIndex = index;
        handedOutIndex = index;
    }

    /** The first index holding {@code term}, searching back from {@code from} (for the conflict hint). */
    public long firstIndexOfTerm(long from, long term) {
        long i = from;
        while (i - 1 > snapshotIndex && term(i - 1) == term) {
            i--;
        }
        return i;
    }

    /** The last index whose entry has {@code term}, or 0 when the log holds no entry of that term. */
    public long lastIndexOfTerm(long term) {
        for (long i = lastIndex(); i > snapshotIndex; i--) {
            long t = term(i);
            if (t == term) {
                return i;
            }
            if (t < term) {
                return 0;
            }
        }
        return 0;
    }
}
