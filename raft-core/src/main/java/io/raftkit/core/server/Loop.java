package io.raftkit.core.server;

import java.util.List;

/**
 * The single thread of control that owns one node. Each turn runs a tick when one is due, then
 * every task queued so far (taking them all at once is what batches proposals), then
 * {@link Handler#turnEnded}. Nothing else touches the node.
 */
public interface Loop {

    /** What the loop drives; all methods run on the loop. */
    interface Handler {

        /** One tick of logical time is due. */
        void tick();

        /** The tasks of this turn have run: the handler carries out what they caused. */
        void turnEnded();

        /** A tick, task or turn threw: the loop stops, and the handler says why. */
        void failed(Throwable cause);
    }

    void start();

    /** Queues {@code task} to run on the loop. Callable from any thread; never blocks. */
    void execute(Runnable task);

    /**
     * Stops after the task in progress and waits up to a bound for it. Callable from any thread,
     * also from the loop itself (then it does not wait).
     */
    void stop();

    /** Removes and returns the tasks queued but never run (after {@link #stop}). */
    List<Runnable> drain();

    /** Whether the loop is still running a turn or waiting for work. */
    boolean isAlive();
}
