package io.raftkit.core.server;

import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import io.raftkit.core.LogRead;
import io.raftkit.core.RaftNode;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads back from the LogStore the entries a leader evicted from its in-memory log and now needs
 * for a follower ({@link LogRead}, issue 16). The reads run on the {@link LogWriter}'s worker: the
 * LogStore is called from one thread only, never concurrently (its SPI says so), and a read queued
 * there never runs during an append. The answer goes back to the loop, which hands it to
 * {@link RaftNode#entriesRead}; the node checks it against its log then, since the store may have
 * been compacted or reset in between.
 */
final class LogReader {

    private final LogStore store;
    private final Platform.Worker worker;
    private final Consumer<Runnable> loop;
    private final Consumer<Throwable> onFailure;
    private volatile boolean stopped;

    /**
     * @param worker    the LogWriter's worker (not closed here: the writer closes it)
     * @param loop      runs a task on the node's loop
     * @param onFailure called on the worker once, with whatever a read threw; nothing is read after it
     */
    LogReader(LogStore store, Platform.Worker worker, Consumer<Runnable> loop, Consumer<Throwable> onFailure) {
        this.store = store;
        this.worker = worker;
        this.loop = loop;
        this.onFailure = onFailure;
    }

    /** Reads each of {@code reads} on the store's thread and answers {@code node} on the loop. */
    void submit(List<LogRead> reads, RaftNode node) {
        for (LogRead read : reads) {
            worker.execute(() -> {
                List<LogEntry> entries = read(read);
                if (entries != null) {
                    loop.accept(() -> node.entriesRead(read, entries));
                }
            });
        }
    }

    /** The entries, none when the store no longer holds {@code read.from()} (compacted or reset since), null after a failure. */
    private List<LogEntry> read(LogRead read) {
        if (stopped) {
            return null;
        }
        try {
            long to = Math.min(read.to(), store.lastIndex());
            if (read.from() < store.firstIndex() || read.from() > to) {
                return List.of();
            }
            return store.entries(read.from(), to, read.maxBytes());
        } catch (Throwable e) {
            // As for a failed write: a store that cannot read what it acknowledged stops the node.
            stopped = true;
            onFailure.accept(e);
            return null;
        }
    }

    void close() {
        stopped = true;
    }
}
