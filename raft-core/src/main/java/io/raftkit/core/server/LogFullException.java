package io.raftkit.core.server;

/**
 * The proposal was refused before it reached the log: the log above the last snapshot, which is
 * kept in memory, would take more of the heap than is safe. Refusing writes keeps the node up,
 * serving reads and replicating, where running out of heap would stop it.
 */
public final class LogFullException extends RaftException {

    public LogFullException(long logHeapBytes, long maxHeapBytes) {
        super(String.format("the log takes about %d MB of this node's %d MB heap, the most it may use;"
                + " writes are refused until a snapshot compacts the log, or the node is restarted with a larger"
                + " -Xmx (a node without a snapshot store never compacts)",
                logHeapBytes >> 20, maxHeapBytes >> 20));
    }

    @Override
    public boolean certainlyNotApplied() {
        return true;
    }
}
