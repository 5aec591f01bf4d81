package io.raftkit.core.sim;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * What a simulated node's disk holds, across its incarnations. A call returns once its data is
 * durable, as the LogStore contract says; what the driver had not written when a crash came is
 * lost with the process. A crash can also strike inside the writer's work: before an append, in
 * the middle of one (a torn batch: only a prefix of its entries reached the disk, after the stale
 * suffix was already discarded), between the entries and the hard state, or after both. A crashed
 * incarnation's remaining calls change nothing.
 */
final class SimLogStore implements LogStore {

    private final SimNode node;
    private final SimCluster cluster;
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long snapshotIndex;
    private long snapshotTerm;
    private HardState hardState = HardState.INITIAL;

    SimLogStore(SimNode node, SimCluster cluster) {
        this.node = node;
        this.cluster = cluster;
    }

    @Override
    public void append(List<LogEntry> batch) {
        if (batch.isEmpty() || !node.up) {
            return;
        }
        long first = batch.get(0).index();
        if (first > lastIndex() + 1 || first <= snapshotIndex) {
            throw new IllegalStateException(node.id + ": append at " + first + " to a log holding "
                    + firstIndex() + ".." + lastIndex());
        }
        if (cluster.crashes.atAppend(node, Crashes.Point.BEFORE_APPEND, batch)) {
            return;
        }
        long prevTerm = term(first - 1);
        entries.subList((int) (first - snapshotIndex - 1), entries.size()).clear();
        if (cluster.crashes.atAppend(node, Crashes.Point.TORN_APPEND, batch)) {
            int kept = cluster.crashes.tornPrefix(batch.size());
            write(batch.subList(0, kept), prevTerm);
            cluster.trace("torn write on " + node.id + ": " + kept + " of " + batch.size() + " entries reached the disk");
            return;
        }
        write(batch, prevTerm);
        cluster.budget.countWritten(batch.size());
        cluster.crashes.atAppend(node, Crashes.Point.AFTER_APPEND, batch); // the hard state after it is lost
    }

    /** Puts {@code batch} on the disk after the entry of {@code prevTerm}: what Log Matching checks. */
    private void write(List<LogEntry> batch, long prevTerm) {
        for (LogEntry e : batch) {
            cluster.invariants.checkWritten(node.id, e, prevTerm);
            entries.add(e);
            prevTerm = e.term();
        }
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = fromIndex; i <= toIndex && i <= lastIndex(); i++) {
            LogEntry e = entries.get((int) (i - snapshotIndex - 1));
            bytes += e.sizeInBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public long term(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            throw new IllegalArgumentException("no term for " + index + " in " + firstIndex() + ".." + lastIndex());
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    @Override
    public long firstIndex() {
        return snapshotIndex + 1;
    }

    @Override
    public long lastIndex() {
        return snapshotIndex + entries.size();
    }

    @Override
    public void saveHardState(HardState state) {
        if (!node.up || cluster.crashes.atHardState(node, Crashes.Point.BEFORE_HARD_STATE, state)) {
            return;
        }
        hardState = state;
        cluster.crashes.atHardState(node, Crashes.Point.AFTER_HARD_STATE, state);
    }

    @Override
    public HardState loadHardState() {
        return hardState;
    }

    @Override
    public void compact(long index) {
        if (!node.up || index <= snapshotIndex) {
            return;
        }
        snapshotTerm = term(index);
        entries.subList(0, (int) (index - snapshotIndex)).clear();
        snapshotIndex = index;
        cluster.trace("compacted " + node.id + " to " + index);
        cluster.crashes.atSnapshot(node, "after compacting its log to " + index);
    }

    @Override
    public void reset(long index, long term) {
        if (!node.up) {
            return;
        }
        if (cluster.crashes.atSnapshot(node, "before resetting its log to " + index + "@" + term)) {
            return;
        }
        entries.clear();
        snapshotIndex = index;
        snapshotTerm = term;
        cluster.trace("reset " + node.id + " log to " + index + "@" + term);
    }

    @Override
    public void close() {
    }
}
