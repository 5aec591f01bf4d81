package io.raftkit.kv.http;

import io.raftkit.api.NodeId;

/**
 * Whether this node can reach a peer right now, asked before forwarding a request to the leader.
 * A real network answers by failing the connection; under fault injection (the {@code network-faults}
 * transport) the answer comes from the same rules that cut the Raft traffic, so a partition cuts
 * forwarding too and a minority cannot serve through the majority's leader.
 */
@FunctionalInterface
public interface Reachability {

    /** Every peer is reachable as far as this node knows: the default, without fault injection. */
    Reachability ALWAYS = peer -> true;

    boolean reaches(NodeId peer);
}
