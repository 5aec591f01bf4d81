package io.raftkit.core.log;

import io.raftkit.api.LogEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The log as the protocol sees it: every index above the compacted prefix, with two marks: how
 * much the driver was given to persist ({@code handedOutIndex}) and how much it has confirmed
 * durable ({@code stableIndex}). The driver takes the suffix above the first mark with
 * {@link #takeUnpersisted}, makes it durable (possibly while later suffixes are taken), and then
 * calls {@link #stableTo}.
 *
 * <p>Memory (issue 16): the entries themselves are held only from {@link #firstInMemory()} on. Below
 * it they were {@link #evict evicted}: only entries that are durable and that the caller no longer
 * needs (the node evicts applied ones, which are committed and so never truncated) leave, and only
 * beyond a cache of the newest ones, bounded by entries and bytes. The term of every index above
 * the prefix stays known through a per-term index (the first index of each term: terms change
 * rarely), so {@link #term} answers synchronously everywhere and the §5.3 and §5.4.1 checks never
 * need the store. Entries below {@link #firstInMemory()} are read back from the LogStore by the
 * driver, on the store's thread.
 *
 * <p>Indexes are 1-based as in the paper. Index {@code snapshotIndex} is the last compacted entry;
 * its term is remembered so the consistency check of §5.3 still works at the boundary.
 */
public final class RaftLog {

    /** Entries {@code firstInMemory() .. lastIndex}, in order. */
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private final int cacheEntries;
    private final long cacheBytes;
    /** Payload and header bytes of {@link #entries} ({@link LogEntry#sizeInBytes()}). */
    private long entryBytes;
    private long lastIndex;
    private long snapshotIndex;
    private long snapshotTerm;
    private long stableIndex;
    private long handedOutIndex;
    /**
     * The per-term index: run {@code r} holds term {@code runTerm[r]} from index {@code runStart[r]}
     * up to the next run's start (or {@link #lastIndex}). Runs cover exactly the indexes above the
     * compacted prefix; terms only grow along a log, so each term has at most one run.
     */
    private long[] runStart = new long[8];
    private long[] runTerm = new long[8];
    private int runs;

    /** A log that keeps every entry in memory (tests, and tools that want the whole log). */
    public RaftLog(long snapshotIndex, long snapshotTerm, List<LogEntry> stored) {
        this(snapshotIndex, snapshotTerm, stored, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * @param cacheEntries most evictable entries kept in memory
     * @param cacheBytes   most bytes of evictable entries kept in memory
     */
    public RaftLog(long snapshotIndex, long snapshotTerm, List<LogEntry> stored, int cacheEntries, long cacheBytes) {
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        this.lastIndex = snapshotIndex;
        this.cacheEntries = cacheEntries;
        this.cacheBytes = cacheBytes;
        long expected = snapshotIndex + 1;
        for (LogEntry e : stored) {
            if (e.index() != expected) {
                throw new IllegalStateException("stored log has a gap or disorder: expected index " + expected + ", found " + e.index());
            }
            expected++;
            add(e);
        }
        this.stableIndex = lastIndex;
        this.handedOutIndex = stableIndex;
    }

    public long snapshotIndex() {
        return snapshotIndex;
    }

    public long firstIndex() {
        return snapshotIndex + 1;
    }

    public long lastIndex() {
        return lastIndex;
    }

    public long lastTerm() {
        return term(lastIndex);
    }

    /** The first index whose entry is held in memory; those below it (and above the prefix) are in the LogStore only. */
    public long firstInMemory() {
        return lastIndex - entries.size() + 1;
    }

    /** Bytes of the entries held in memory ({@link LogEntry#sizeInBytes()} summed). */
    public long memoryBytes() {
        return entryBytes;
    }

    /** Entries held in memory. */
    public int entriesInMemory() {
        return entries.size();
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
        if (index > lastIndex) {
            return 0;
        }
        return runTerm[runOf(index)];
    }

    /** The run holding {@code index}, which must lie in {@code firstIndex() .. lastIndex()}. */
    private int runOf(long index) {
        int lo = 0;
        int hi = runs - 1;
        if (index >= runStart[hi]) {
            return hi; // the common case: the current term
        }
        while (lo < hi) { // the last run starting at or before index
            int mid = (lo + hi + 1) >>> 1;
            if (runStart[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    public boolean matchTerm(long index, long term) {
        return index <= lastIndex && term(index) == term;
    }

    /** The entry at {@code index}, which must be held in memory (at or above {@link #firstInMemory()}). */
    public LogEntry entry(long index) {
        if (index < firstInMemory() || index > lastIndex) {
            throw new IllegalArgumentException("entry " + index + " is not in memory (held: " + firstInMemory() + ".." + lastIndex + ")");
        }
        return entries.get((int) (index - firstInMemory()));
    }

    /** §5.4.1: the candidate's log is at least as up-to-date as ours. */
    public boolean isUpToDate(long lastIndex, long lastTerm) {
        long ourTerm = lastTerm();
        return lastTerm > ourTerm || (lastTerm == ourTerm && lastIndex >= this.lastIndex);
    }

    /**
     * Entries {@code from..to} inclusive, at most {@code maxCount} and stopping once {@code maxBytes}
     * is exceeded (one entry always fits). {@code from} must be held in memory. A copy.
     */
    public List<LogEntry> slice(long from, long to, int maxCount, long maxBytes) {
        if (from > to || from > lastIndex) {
            return List.of();
        }
        if (from <= snapshotIndex) {
            throw new IllegalArgumentException("entries from " + from + " were compacted (first index " + firstIndex() + ")");
        }
        long memFirst = firstInMemory();
        if (from < memFirst) {
            throw new IllegalArgumentException("entries from " + from + " are not in memory (held from " + memFirst + ")");
        }
        int start = (int) (from - memFirst);
        int end = (int) (Math.min(to, lastIndex) - memFirst + 1);
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
        return handedOutIndex < lastIndex;
    }

    /** Hands the entries above the handed-out mark to the driver, to be made durable in order. */
    public List<LogEntry> takeUnpersisted() {
        List<LogEntry> taken = slice(handedOutIndex + 1, lastIndex, Integer.MAX_VALUE, Long.MAX_VALUE);
        handedOutIndex = lastIndex;
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
        if (entry.index() != lastIndex + 1) {
            throw new IllegalStateException("append at " + entry.index() + " but last index is " + lastIndex);
        }
        add(entry);
    }

    private void add(LogEntry e) {
        if (runs == 0 || runTerm[runs - 1] != e.term()) {
            if (runs == runStart.length) {
                runStart = java.util.Arrays.copyOf(runStart, runs * 2);
                runTerm = java.util.Arrays.copyOf(runTerm, runs * 2);
            }
            runStart[runs] = e.index();
            runTerm[runs] = e.term();
            runs++;
        }
        entries.add(e);
        entryBytes += e.sizeInBytes();
        lastIndex = e.index();
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
            if (index > lastIndex) {
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
            add(incoming.get(i));
        }
        return prevLogIndex + incoming.size();
    }

    private void truncateFrom(long index) {
        long memFirst = firstInMemory();
        if (index < memFirst) {
            // Only applied (so committed) entries are evicted, and committed entries are never deleted.
            throw new IllegalStateException("truncating from " + index + " below the entries held in memory (from "
                    + memFirst + "): an evicted entry was not committed");
        }
        List<LogEntry> dropped = entries.subList((int) (index - memFirst), entries.size());
        for (LogEntry e : dropped) {
            entryBytes -= e.sizeInBytes();
        }
        dropped.clear();
        lastIndex = index - 1;
        if (!io.raftkit.core.Mutant.isActive(io.raftkit.core.Mutant.TERM_INDEX_KEPT_ON_TRUNCATION)) {
            while (runs > 0 && runStart[runs - 1] >= index) {
                runs--; // the terms of the deleted suffix go with it
            }
        }
        stableIndex = Math.min(stableIndex, index - 1);
        // The driver may still be writing the deleted entries; the replacements are handed out
        // next and written after them, so the suffix replacement lands last.
        handedOutIndex = Math.min(handedOutIndex, index - 1);
    }

    /**
     * Drops from memory the oldest entries at or below {@code upTo} (and at or below the durable
     * index) that exceed the cache: more than its entries or bytes. The LogStore still holds them.
     * Once over a limit it goes down to three quarters of it, so a front removal (which moves the
     * rest of the list) happens once per quarter of the cache, not once per entry.
     */
    public void evict(long upTo) {
        if (entries.size() <= cacheEntries && entryBytes <= cacheBytes) {
            return;
        }
        long bound = Math.min(upTo, stableIndex);
        long memFirst = firstInMemory();
        long keepEntries = cacheEntries - cacheEntries / 4;
        long keepBytes = cacheBytes - cacheBytes / 4;
        int n = 0;
        long bytes = entryBytes;
        while (n < entries.size() && memFirst + n <= bound && (entries.size() - n > keepEntries || bytes > keepBytes)) {
            bytes -= entries.get(n).sizeInBytes();
            n++;
        }
        if (n > 0) {
            entries.subList(0, n).clear();
            entryBytes = bytes;
        }
    }

    /**
     * Drops the entries up to {@code index} once a durable snapshot covers them and the LogStore
     * compacted them (§7); the term of {@code index} stays known for the §5.3 check. Only durable
     * entries may go: those above {@link #stableIndex} are still to be written. Returns the bytes
     * dropped from memory.
     */
    public long compact(long index) {
        if (index <= snapshotIndex) {
            return 0;
        }
        if (index > stableIndex) {
            throw new IllegalArgumentException("cannot compact to " + index + " above the durable index " + stableIndex);
        }
        long term = term(index);
        long memFirst = firstInMemory();
        long bytes = 0;
        if (index >= memFirst) {
            List<LogEntry> dropped = entries.subList(0, (int) (index - memFirst + 1));
            for (LogEntry e : dropped) {
                bytes += e.sizeInBytes();
            }
            dropped.clear();
            entryBytes -= bytes;
        }
        int gone = 0;
        while (gone < runs && (gone + 1 < runs ? runStart[gone + 1] <= index + 1 : index >= lastIndex)) {
            gone++; // runs wholly inside the prefix
        }
        if (gone > 0) {
            System.arraycopy(runStart, gone, runStart, 0, runs - gone);
            System.arraycopy(runTerm, gone, runTerm, 0, runs - gone);
            runs -= gone;
        }
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
        entryBytes = 0;
        runs = 0;
        lastIndex = index;
        snapshotIndex = index;
        snapshotTerm = term;
        stableIndex = index;
        handedOutIndex = index;
    }

    /** The first index holding {@code term}, searching back from {@code from} (for the conflict hint). */
    public long firstIndexOfTerm(long from, long term) {
        if (from <= snapshotIndex + 1 || from > lastIndex || term(from) != term) {
            return from;
        }
        return Math.max(runStart[runOf(from)], snapshotIndex + 1);
    }

    /** The last index whose entry has {@code term}, or 0 when the log holds no entry of that term. */
    public long lastIndexOfTerm(long term) {
        for (int r = runs - 1; r >= 0; r--) { // few runs, newest first
            if (runTerm[r] == term) {
                return r + 1 < runs ? runStart[r + 1] - 1 : lastIndex;
            }
            if (runTerm[r] < term) {
                return 0;
            }
        }
        return 0;
    }
}
