package io.raftkit.verifier.backend;

import java.io.IOException;

/**
 * A backend that can take a node out for good and start a fresh, empty one in its place: what the
 * membership nemesis needs beyond {@link ClusterBackend}. The backend's node names stay fixed
 * ({@link #nodes()}: the slots clients and faults name); the Raft id running in a slot may change
 * when a node is replaced ({@link #memberId}), and the backend translates between the two wherever
 * it talks to the nodes (fault rules, the leader it reports).
 */
public interface MembershipBackend extends ClusterBackend {

    /** The Raft id of the node in slot {@code node} now (the slot's name until it is replaced). */
    String memberId(String node);

    /** The Raft address of the node in slot {@code node}, as the other nodes reach it ({@code host:port}). */
    String raftAddress(String node);

    /** The HTTP URL of the node in slot {@code node}, as the other nodes reach it (for forwarding). */
    String httpUrl(String node);

    /**
     * Whether the slot's node process (or container) is running: false for a vacant slot, a node
     * killed or crashed, and one that exited by itself (a joining node that could not learn the
     * members gives up after 30 s).
     */
    boolean running(String node);

    /** Whether the slot has no node: wiped and not joined again. */
    boolean vacant(String node);

    /**
     * Stops the node in slot {@code node} for good and deletes its data (its log, snapshots, votes):
     * the slot is vacant until {@link #join}. Faults on a vacant slot do nothing.
     */
    void wipe(String node) throws IOException, InterruptedException;

    /**
     * Starts a fresh node with an empty data directory in the vacant slot {@code node}, under Raft id
     * {@code memberId} (the slot's previous id, or a fresh one), with {@code --join} pointed at the
     * node in slot {@code via}: it learns the members there and asks the leader to add it as a
     * learner. Later restarts of the slot start this node again, on its own data.
     */
    void join(String node, String memberId, String via) throws IOException, InterruptedException;
}
