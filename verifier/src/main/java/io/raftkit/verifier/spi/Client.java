package io.raftkit.verifier.spi;

/**
 * Turns a workload's operations into requests to a node of the system under test, and the node's
 * answers back into values a {@link Model} understands. For a RaftKit state machine that means
 * encoding the command or query, calling {@link Node#propose} or {@link Node#read}, and decoding the
 * reply with {@link Completion#map}.
 *
 * <p>Threads: each of a run's client processes calls {@code invoke} from its own thread, one
 * operation at a time. By default the same Client serves them all, so keep it free of per-call
 * mutable state; a client that needs state per process (a session, a connection) returns a fresh
 * one from {@link #open}.
 */
public interface Client {

    /**
     * Performs {@code op} on {@code node} and says how it ended. An exception is read as
     * {@link Completion.Unknown} (the client cannot say whether the operation took effect) and
     * recorded with its message.
     */
    Completion invoke(Node node, Op op);

    /**
     * The client one history process uses, as Jepsen's {@code open!}: the runner opens one per
     * process, and again for the new process that takes over after an operation ends
     * {@link Completion.Unknown} (the old process never returns, so whatever it held, such as an
     * exactly-once session whose last request may still apply, is not reused). By default this
     * client itself, shared by every process.
     *
     * @param process the history process number the returned client serves
     */
    default Client open(int process) {
        return this;
    }
}
