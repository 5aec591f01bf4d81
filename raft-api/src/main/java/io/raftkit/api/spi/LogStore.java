package io.raftkit.api.spi;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import java.io.IOException;
import java.util.List;

/**
 * The durable Raft log and hard state of one peer.
 *
 * <p>Threads: called only from the node's driver thread, never concurrently. Methods may block on
 * the disk. Durability: when {@link #append} or {@link #saveHardState} returns, the data survives a
 * crash of the process ({@code kill -9}); a store that only promises less (the memory store) says so.
 *
 * <p>Indexes: the log holds the entries {@code firstIndex() .. lastIndex()}. Before any compaction
 * {@code firstIndex() == 1}; an empty log has {@code lastIndex() == firstIndex() - 1}. Compaction
 * of a prefix up to index {@code i} keeps the term of {@code i} so {@link #term} still answers there.
 *
 * <p>Errors: an {@link IOException} is fatal for this node; the driver stops it and says why.
 */
public interface LogStore extends AutoCloseable {

    /**
     * Appends a batch of consecutive entries. When the first entry's index is at or below
     * {@code lastIndex()}, the stored suffix from that index is discarded first (§5.3). The first
     * index must be at most {@code lastIndex() + 1} and above the compacted prefix.
     */
    void append(List<LogEntry> entries) throws IOException;

    /**
     * Entries from {@code fromIndex} up to {@code toIndex} inclusive, stopping early once the
     * payloads exceed {@code maxBytes} (at least one entry is returned when the range is not empty).
     */
    List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) throws IOException;

    /** The term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}; 0 for index 0. */
    long term(long index) throws IOException;

    long firstIndex();

    long lastIndex();

    /** Makes {@code state} durable, replacing the previous one. */
    void saveHardState(HardState state) throws IOException;

    /** The last saved state, or {@link HardState#INITIAL} for a new store. */
    HardState loadHardState() throws IOException;

    /**
     * Discards entries up to and including {@code index}, which must be at most {@code lastIndex()},
     * after a durable snapshot covers them; {@code firstIndex()} becomes {@code index + 1} and
     * {@link #term} keeps answering at {@code index}. An index below {@code firstIndex()} changes
     * nothing. Durable when it returns; entries above {@code index} stay.
     */
    void compact(long index) throws IOException;

    /**
     * Discards the whole log and restarts it after a snapshot: {@code firstIndex()} becomes
     * {@code index + 1}, {@code lastIndex()} becomes {@code index} and {@code term(index)} answers
     * {@code term}. For installing a snapshot (§7) whose last included entry the log does not hold,
     * or holds with another term; {@code index} may lie beyond {@code lastIndex()}, or below it.
     * The hard state is kept. {@code index} must be at least the saved commit index, and at the
     * commit index {@code term} must be the committed entry's (committed entries match every
     * snapshot, §5.4: compact there instead); a store may throw {@link IllegalArgumentException}
     * otherwise.
     * Durable and atomic when it returns: a crash during it leaves either
     * the old log or the reset one, never a mix.
     */
    void reset(long index, long term) throws IOException;

    @Override
    void close() throws IOException;
}
