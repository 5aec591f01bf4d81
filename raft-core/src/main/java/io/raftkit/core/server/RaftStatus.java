package io.raftkit.core.server;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.core.Role;
import java.util.Optional;

/**
 * A consistent snapshot of one node, published by its loop; cheap to read from any thread.
 *
 * @param readsConfirmed    linearizable reads whose read index this node has obtained (as leader,
 *                          a quorum answered their round; as follower, the leader answered)
 * @param readConfirmNanos  the time those reads waited for it, summed
 * @param logHeapBytes      the heap the in-memory log takes, estimated (an upper bound)
 * @param logHeapLimitBytes where proposals start being refused with {@link LogFullException}
 */
public record RaftStatus(NodeId id, Role role, long term, Optional<NodeId> leader, long commitIndex,
                         long appliedIndex, long lastLogIndex, ClusterConfig members,
                         long proposals, long reads, long readsConfirmed, long readConfirmNanos,
                         boolean running, Optional<String> failure,
                         long logHeapBytes, long logHeapLimitBytes) {
}
