package io.raftkit.core.server;

/**
 * What a {@link RaftServer} runs on: a clock, the loop that owns its node, and worker threads for
 * blocking work (the log writer). Production uses {@link #threads()}: {@code System.nanoTime()} and
 * real threads. The simulator hands in virtual ones, so the driver code users run is the code its
 * seeds explore (the FoundationDB way: same code, swapped interfaces).
 *
 * <p>A platform never calls back into the server on its own except through the {@link Loop.Handler}
 * and the tasks it was given.
 */
public interface Platform {

    /** Monotonic time in nanoseconds, for request deadlines and waits. Never the wall clock. */
    long nanoTime();

    /**
     * Creates (does not start) the loop of one server: one thread of control that runs the handler's
     * ticks and the submitted tasks one at a time.
     *
     * @param tickNanos how often {@link Loop.Handler#tick} runs
     */
    Loop loop(String name, long tickNanos, Loop.Handler handler);

    /** Creates a worker: runs tasks one at a time, in submission order, off the loop. */
    Worker worker(String name);

    /** Real threads and {@link System#nanoTime()}. */
    static Platform threads() {
        return ThreadPlatform.INSTANCE;
    }

    /** A serial executor for blocking work. */
    interface Worker {

        /** Queues {@code task}; never blocks. Tasks run one at a time, in the order given. */
        void execute(Runnable task);

        /**
         * Takes no more tasks and waits, up to a bound, for the one running to finish; tasks still
         * queued are not run.
         */
        void close();
    }
}
