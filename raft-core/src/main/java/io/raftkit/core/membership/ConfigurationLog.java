package io.raftkit.core.membership;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.EntryKind;
import io.raftkit.api.LogEntry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * The configurations a node's log holds (thesis §4.1): a server uses the newest configuration in its
 * log, whether or not that entry is committed. So a configuration takes effect when its entry is
 * appended, and the one before it is back when that entry is truncated away. Below the log lies the
 * base: the configuration of the snapshot the log starts after, or the one the node was started with.
 */
public final class ConfigurationLog {

    private record Entry(long term, ClusterConfig config) {
    }

    private ClusterConfig base;
    private long baseIndex;
    private final TreeMap<Long, Entry> byIndex = new TreeMap<>();

    /**
     * @param base      the configuration in force at {@code baseIndex} and before any entry after it
     * @param baseIndex the index the base holds at (a snapshot's last included index, or 0)
     * @param entries   the stored log after the compacted prefix
     */
    public ConfigurationLog(ClusterConfig base, long baseIndex, List<LogEntry> entries) {
        this.base = base;
        this.baseIndex = baseIndex;
        for (LogEntry e : entries) {
            appended(e);
        }
    }

    /** The configuration in effect: the newest in the log. */
    public ClusterConfig current() {
        return byIndex.isEmpty() ? base : byIndex.lastEntry().getValue().config();
    }

    /** The index of the entry holding {@link #current()} (the base's index when the log holds none). */
    public long currentIndex() {
        return byIndex.isEmpty() ? baseIndex : byIndex.lastKey();
    }

    /** The configuration in force at {@code index}: what a snapshot ending there must carry. */
    public ClusterConfig at(long index) {
        Map.Entry<Long, Entry> e = byIndex.floorEntry(index);
        return e == null ? base : e.getValue().config();
    }

    /** {@code e} was appended to the log: a configuration entry takes effect now. */
    public void appended(LogEntry e) {
        if (e.kind() == EntryKind.CONFIGURATION && e.index() > baseIndex) {
            byIndex.put(e.index(), new Entry(e.term(), ClusterConfig.decode(e.payload())));
        }
    }

    /**
     * A follower's log changed from {@code fromIndex} on (a leader's entries replaced a conflicting
     * suffix, §5.3): configurations whose entry is gone roll back, those appended take effect.
     *
     * @param termAt the log's term at an index now
     */
    public void replaced(long fromIndex, List<LogEntry> appended, LongUnaryOperator termAt) {
        for (Map.Entry<Long, Entry> e : byIndex.tailMap(fromIndex, true).entrySet()) {
            if (termAt.applyAsLong(e.getKey()) != e.getValue().term()) {
                byIndex.tailMap(e.getKey(), true).clear(); // truncated: everything after it went too
                break;
            }
        }
        for (LogEntry e : appended) {
            if (termAt.applyAsLong(e.index()) == e.term() && !byIndex.containsKey(e.index())) {
                appended(e);
            }
        }
    }

    /** The log was compacted up to {@code index}: the configuration there becomes the base. */
    public void compacted(long index) {
        if (index <= baseIndex) {
            return;
        }
        base = at(index);
        baseIndex = index;
        byIndex.headMap(index, true).clear();
    }

    /** The log was replaced by a snapshot ending at {@code index}, taken under {@code config} (§7). */
    public void reset(long index, ClusterConfig config) {
        byIndex.clear();
        base = config;
        baseIndex = index;
    }
}
