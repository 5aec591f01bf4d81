package io.raftkit.core.memory;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * A LogStore in memory. NOT durable: everything is lost with the process. For tests, benchmarks
 * of the protocol alone, and embedding where another mechanism provides durability. A test may
 * keep one instance across a RaftServer restart to model a node whose disk survived.
 */
public final class MemoryLogStore implements LogStore {

    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long snapshotIndex;
    private long snapshotTerm;
    private HardState hardState = HardState.INITIAL;

    @Override
    public synchronized void append(List<LogEntry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long first = batch.get(0).index();
        if (first <= snapshotIndex) {
            throw new IllegalArgumentException("append at " + first + " falls in the compacted prefix (up to " + snapshotIndex + ")");
        }
        if (first > lastIndex() + 1) {
            throw new IllegalArgumentException("append at " + first + " would leave a gap after last index " + lastIndex());
        }
        for (int i = 1; i < batch.size(); i++) {
            if (batch.get(i).index() != first + i) {
                throw new IllegalArgumentException("batch is not consecutive at position " + i + ": " + batch.get(i));
            }
        }
        entries.subList((int) (first - snapshotIndex - 1), entries.size()).clear();
        entries.addAll(batch);
    }

    @Override
    public synchronized List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        if (fromIndex <= snapshotIndex) {
            throw new IllegalArgumentException("entries from " + fromIndex + " were compacted (first index " + firstIndex() + ")");
        }
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = fromIndex; i <= Math.min(toIndex, lastIndex()); i++) {
            LogEntry e = entries.get((int) (i - snapshotIndex - 1));
            bytes += e.sizeInBytes();
            if (bytes > maxBytes && !out.isEmpty()) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized long term(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            throw new IllegalArgumentException("no term for index " + index + ": the log holds "
                    + firstIndex() + ".." + lastIndex());
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    @Override
    public synchronized long firstIndex() {
        return snapshotIndex + 1;
    }

    @Override
    public synchronized long lastIndex() {
        return snapshotIndex + entries.size();
    }

    @Override
    public synchronized void saveHardState(HardState state) {
        hardState = state;
    }

    @Override
    public synchronized HardState loadHardState() {
        return hardState;
    }

    @Override
    public synchronized void compact(long index) {
        if (index <= snapshotIndex) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalArgumentException("cannot compact up to " + index + " beyond last index " + lastIndex());
        }
        long term = term(index);
        entries.subList(0, (int) (index - snapshotIndex)).clear();
        snapshotIndex = index;
        snapshotTerm = term;
    }

    @Override
    public synchronized void reset(long index, long term) {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("reset to index " + index + " term " + term + ": both must be >= 1");
        }
        if (index < hardState.commitIndex()) {
            throw new IllegalArgumentException("cannot reset the log to index " + index + ", below the commit index "
                    + hardState.commitIndex() + ": compact it instead");
        }
        entries.clear();
        snapshotIndex = index;
        snapshotTerm = term;
    }

    @Override
    public void close() {
        // nothing to release; the contents stay readable so a test can reuse the instance
    }

    @Override
    public String toString() {
        return "memory (entries " + firstIndex() + ".." + lastIndex() + ")";
    }
}
