package io.raftkit.kv.server;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A part of a node's start that runs on its own thread beside the others: opening the log store
 * while the snapshot store opens, binding the JVM's meters (JMX) meanwhile. A restart of a node
 * with a large state is mostly one thread restoring the snapshot while the other core waits; the
 * steps that do not depend on each other overlap instead of adding up.
 *
 * <p>{@link #join} hands back the step's result or throws its failure as it was thrown, so a
 * start that fails says the same thing whether a step ran here or inline.
 */
final class StartStep<T> {

    private final FutureTask<T> task;

    private StartStep(FutureTask<T> task) {
        this.task = task;
    }

    static <T> StartStep<T> begin(String name, Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true); // a start that fails elsewhere must not be held up by it at exit
        thread.start();
        return new StartStep<>(task);
    }

    /** Waits for the step; its failure is rethrown unwrapped. */
    T join() throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    // Finish waiting: the step holds resources (a directory lock) that only its result can release.
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** After a failure elsewhere: waits for the step and closes what it made, adding its own failure to {@code failure}. */
    static void closeAfter(StartStep<? extends AutoCloseable> step, Throwable failure) {
        if (step == null) {
            return;
        }
        try {
            step.join().close();
        } catch (Exception e) {
            if (e != failure) {
                failure.addSuppressed(e);
            }
        }
    }
}
