package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts writing a received snapshot's bytes back to the disk while the rest still arrives: every
 * {@link #EVERY_BYTES} written, a force of the file runs on a thread of its own. A 512 MiB
 * InstallSnapshot is bound by CPU, not by the disk, yet it left all its bytes dirty until
 * {@code install()}'s force, 0.41-0.48 s of a 3-5 s transfer spent waiting for the disk at the end
 * (docs/benchmarks.md, "Issue 16: InstallSnapshot"). This is a head start only: {@code install()}
 * still forces the whole file itself before anything is made visible, and first takes the outcome
 * of the force running here, since after a failed fsync Linux may report success to the next one.
 * One force at a time; smaller transfers never start the thread. Not thread-safe: called under the
 * receiver's lock.
 */
final class WriteBack {

    /** Dirty bytes that start a background force: large enough that small snapshots never do. */
    static final long EVERY_BYTES = 32L << 20;

    private final DiskFile file;
    private long startedAt;
    private ExecutorService thread;
    private Future<?> running;

    WriteBack(DiskFile file) {
        this.file = file;
    }

    /** The file now holds {@code written} bytes. */
    void written(long written) throws IOException {
        if (written - startedAt < EVERY_BYTES || KnownBug.SNAPSHOT_DATA_NOT_FORCED.reintroduced()) {
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
            throw new InterruptedIOException("interrupted while a received snapshot was written back to " + file.path());
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
