package io.raftkit.core.sim;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * What a simulated node's disk holds. Only what the node's Ready asked to persist, and the driver
 * finished persisting before a crash, survives the crash: that is the whole durability model.
 */
final class SimLogStore {

    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private HardState hardState = HardState.INITIAL;

    void append(List<LogEntry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long first = batch.get(0).index();
        if (first > entries.size() + 1) {
            throw new IllegalStateException("append at " + first + " leaves a gap after " + entries.size());
        }
        entries.subList((int) first - 1, entries.size()).clear();
        entries.addAll(batch);
    }

    void save(HardState state) {
        hardState = state;
    }

    HardState hardState() {
        return hardState;
    }

    List<LogEntry> entries() {
        return List.copyOf(entries);
    }
}
