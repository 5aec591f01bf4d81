package io.raftkit.core.server;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import io.raftkit.core.Ready;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Makes Readys durable on a thread of its own, so that the loop goes on while the disk syncs: a
 * leader keeps replicating and counting acknowledgements during its own write, and a follower keeps
 * taking AppendEntries during its (thesis §10.2.1). Readys are written in the order submitted.
 * Whatever queued up during one write goes into the next: contiguous entries as one append (one
 * sync for many Readys), then the newest hard state, and all of them are reported durable together.
 */
final class LogWriter {

    private final LogStore store;
    private final Consumer<List<Ready>> onDurable;
    private final Consumer<IOException> onFailure;
    private final LinkedBlockingQueue<Ready> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param onDurable called on the writer's thread with each batch, in order, once it is durable
     * @param onFailure called on the writer's thread once, after which nothing more is written
     */
    LogWriter(LogStore store, String name, Consumer<List<Ready>> onDurable, Consumer<IOException> onFailure) {
        this.store = store;
        this.onDurable = onDurable;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void submit(Ready ready) {
        queue.add(ready);
    }

    private void run() {
        List<Ready> batch = new ArrayList<>();
        try {
            while (running) {
                // Not interrupted to stop: an interrupt inside FileChannel.force closes the channel.
                Ready first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                write(batch);
                onDurable.accept(List.copyOf(batch));
                batch.clear();
            }
        } catch (IOException e) {
            running = false;
            onFailure.accept(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(List<Ready> batch) throws IOException {
        List<LogEntry> run = new ArrayList<>();
        HardState hardState = null;
        for (Ready ready : batch) {
            List<LogEntry> entries = ready.entries();
            if (!entries.isEmpty()) {
                // A follower's truncation starts below the end of the run: write the run first, so
                // the replacement suffix lands after what it replaces, as the Readys asked.
                if (!run.isEmpty() && entries.get(0).index() != run.get(run.size() - 1).index() + 1) {
                    store.append(run);
                    run = new ArrayList<>();
                }
                run.addAll(entries);
            }
            if (ready.hardState() != null) {
                hardState = ready.hardState();
            }
        }
        // Entries before the hard state, as for a single Ready: a hard state's commit index never
        // points past entries that are not yet durable.
        if (!run.isEmpty()) {
            store.append(run);
        }
        if (hardState != null) {
            store.saveHardState(hardState);
        }
    }

    /** Stops after the write in progress, if any; what is still queued is not written. */
    void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
