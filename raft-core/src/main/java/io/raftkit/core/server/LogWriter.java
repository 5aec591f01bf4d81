package io.raftkit.core.server;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import io.raftkit.core.Ready;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Makes Readys durable on a worker of its own, so that the loop goes on while the disk syncs: a
 * leader keeps replicating and counting acknowledgements during its own write, and a follower keeps
 * taking AppendEntries during its (thesis §10.2.1). Readys are written in the order submitted.
 * Whatever queued up during one write goes into the next: contiguous entries as few appends as the
 * size cap allows (one sync for many Readys), then the newest hard state, and all of them are
 * reported durable together.
 *
 * <p>Entries go before the hard state, and a crash between the two is safe: every message that
 * promises something about this node's disk (a vote, an AppendReply) waits until the whole batch
 * is durable, so a crash in between breaks no promise. The node may restart with entries of a
 * term newer than its stored term; it answered nothing in that term from this batch, and a vote
 * it cast earlier was durable before it was sent. The stored commit index never points past
 * entries that are not durable, since it is written last.
 */
final class LogWriter {

    /**
     * Payload bytes in one {@link LogStore#append} call at most. A queue that grew during a slow
     * write is split: a store may refuse very large records (the mapdb store's limit is 256 MiB).
     */
    static final long MAX_APPEND_BYTES = 64L * 1024 * 1024;

    private final LogStore store;
    private final long maxAppendBytes;
    private final Platform.Worker worker;
    private final Consumer<List<Ready>> onDurable;
    private final Consumer<Throwable> onFailure;
    private final ArrayDeque<Ready> queue = new ArrayDeque<>();
    private boolean scheduled;
    private boolean stopped;

    /**
     * @param onDurable called on the worker with each batch, in order, once it is durable
     * @param onFailure called on the worker once, with whatever a write threw (an I/O error, or a
     *                  bug in the store); after it nothing more is written
     */
    LogWriter(LogStore store, Platform.Worker worker, Consumer<List<Ready>> onDurable, Consumer<Throwable> onFailure) {
        this(store, MAX_APPEND_BYTES, worker, onDurable, onFailure);
    }

    LogWriter(LogStore store, long maxAppendBytes, Platform.Worker worker, Consumer<List<Ready>> onDurable,
              Consumer<Throwable> onFailure) {
        this.store = store;
        this.maxAppendBytes = maxAppendBytes;
        this.worker = worker;
        this.onDurable = onDurable;
        this.onFailure = onFailure;
    }

    void submit(Ready ready) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            queue.add(ready);
            if (scheduled) {
                return; // the write in progress takes it next
            }
            scheduled = true;
        }
        worker.execute(this::drain);
    }

    private void drain() {
        List<Ready> batch;
        synchronized (this) {
            if (stopped) {
                return;
            }
            batch = new ArrayList<>(queue);
            queue.clear();
        }
        try {
            write(batch);
        } catch (Throwable e) {
            // Anything, not only an IOException: a writer that died quietly would leave the node
            // running with writes that never become durable and queues that grow for ever.
            synchronized (this) {
                stopped = true;
                queue.clear();
            }
            onFailure.accept(e);
            return;
        }
        onDurable.accept(List.copyOf(batch));
        boolean more;
        synchronized (this) {
            more = !stopped && !queue.isEmpty();
            scheduled = more;
        }
        if (more) {
            worker.execute(this::drain);
        }
    }

    private void write(List<Ready> batch) throws java.io.IOException {
        List<LogEntry> run = new ArrayList<>();
        long runBytes = 0;
        HardState hardState = null;
        for (Ready ready : batch) {
            if (ready.installedSnapshot() != null) {
                // §7: the log is replaced by an installed snapshot, in order with the writes around it.
                if (!run.isEmpty()) {
                    store.append(run);
                    run = new ArrayList<>();
                    runBytes = 0;
                }
                store.reset(ready.installedSnapshot().lastIncludedIndex(), ready.installedSnapshot().lastIncludedTerm());
            }
            for (LogEntry entry : ready.entries()) {
                // A follower's truncation starts below the end of the run: write the run first, so
                // the replacement suffix lands after what it replaces, as the Readys asked.
                boolean contiguous = run.isEmpty() || entry.index() == run.get(run.size() - 1).index() + 1;
                if (!run.isEmpty() && (!contiguous || runBytes + entry.sizeInBytes() > maxAppendBytes)) {
                    store.append(run);
                    run = new ArrayList<>();
                    runBytes = 0;
                }
                run.add(entry);
                runBytes += entry.sizeInBytes();
            }
            if (ready.hardState() != null) {
                hardState = ready.hardState();
            }
        }
        if (!run.isEmpty()) {
            store.append(run);
        }
        if (hardState != null) {
            store.saveHardState(hardState);
        }
    }

    /**
     * Compacts the store up to {@code index} (durable entries a durable snapshot covers), on the
     * writer's worker, so it never runs during an append; a failure stops the node like a failed write.
     */
    void compact(long index) {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        worker.execute(() -> {
            synchronized (this) {
                if (stopped) {
                    return;
                }
            }
            try {
                store.compact(index);
            } catch (Throwable e) {
                synchronized (this) {
                    stopped = true;
                    queue.clear();
                }
                onFailure.accept(e);
            }
        });
    }

    /** Stops after the write in progress, if any; what is still queued is not written. */
    void close() {
        synchronized (this) {
            stopped = true;
            queue.clear();
        }
        worker.close();
    }
}
