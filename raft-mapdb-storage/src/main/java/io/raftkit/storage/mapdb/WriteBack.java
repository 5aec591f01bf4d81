package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts writing a snapshot's bytes back to the disk while the rest is still being written: every
 * {@code everyBytes} written, a force of the file runs on a thread of its own. Two reasons:
 * <ul>
 *   <li>A received 512 MiB InstallSnapshot is bound by CPU, not by the disk, yet it left all its
 *       bytes dirty until {@code install()}'s force, 0.41-0.48 s of a 3-5 s transfer spent waiting
 *       for the disk at the end (docs/benchmarks.md, "Issue 16: InstallSnapshot").</li>
 *   <li>A snapshot written here left its 124 MB (a million records) dirty until its one force, and
 *       on ext4's ordered mode the log's fsyncs then waited for all of it, 60-89 ms: the journal
 *       commit an fsync needs must first write the data of every block allocated in it. Forced
 *       every MiB ({@link SnapshotSettings#writeBackMib()}) the longest wait was 12-18 ms
 *       (docs/benchmarks.md, "Snapshot writes paced").</li>
 * </ul>
 * This is a head start only: the owner still forces the whole file itself before anything is made
 * visible, and first takes the outcome of the force running here ({@link #finish}), since after a
 * failed fsync Linux may report success to the next one. One force at a time; files smaller than
 * {@code everyBytes} never start the thread. Not thread-safe: called by one writer at a time.
 */
final class WriteBack {

    /** For a received snapshot: dirty bytes that start a background force, large enough that small snapshots never do. */
    static final long RECEIVED_EVERY_BYTES = 32L << 20;

    private final DiskFile file;
    private final long everyBytes;
    private long startedAt;
    private ExecutorService thread;
    private Future<?> running;

    WriteBack(DiskFile file, long everyBytes) {
        this.file = file;
        this.everyBytes = everyBytes;
    }

    /** The file now holds {@code written} bytes. */
    void written(long written) throws IOException {
        if (written - startedAt < everyBytes || KnownBug.SNAPSHOT_DATA_NOT_FORCED.reintroduced()) {
            return; // the known bug leaves data unforced: a head start here must not hide it from the fault tests
        }
        if (running != null) {
            if (!running.isDone()) {
                return; // the disk is busy with the last one: the next starts when it is done
            }
            await();
        }
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "mapdb-snapshot-write-back");
                t.setDaemon(true);
                return t;
            });
        }
        startedAt = written;
        running = thread.submit(() -> {
            file.force();
            return null;
        });
    }

    private void await() throws IOException {
        Future<?> f = running;
        running = null;
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a snapshot was written back to " + file.path());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("writing back " + file.path() + " failed: " + cause, cause);
        }
    }

    /** Waits for the force running, if any, ends the thread, and rethrows the force's failure. */
    void finish() throws IOException {
        try {
            await();
        } finally {
            if (thread != null) {
                thread.shutdown();
            }
        }
    }

    /** Like {@link #finish}, for a transfer being discarded: a failure no longer matters. */
    void discard() {
        try {
            finish();
        } catch (IOException ignored) {
            // nothing of this transfer is kept
        }
    }
}
