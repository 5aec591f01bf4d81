package io.raftkit.verifier.spi;

import java.util.Optional;

/**
 * One node of the cluster under test, as a {@link Client} reaches it: propose a command through Raft,
 * or read through the linearizable read barrier. Both block until the node answers or its request
 * timeout passes, and never throw: the failure becomes a {@link Completion} that says whether the
 * command may have taken effect.
 */
public interface Node {

    /** The node's id ("n1", "n2", ...). */
    String id();

    /**
     * Proposes {@code command} to this node's state machine. {@link Completion.Ok} carries the bytes
     * {@code StateMachine.apply} returned (possibly null) once the command is committed and applied;
     * a node that is not the leader gives {@link Completion.Fail} (it proposed nothing).
     */
    Completion propose(byte[] command);

    /**
     * A linearizable read (ReadIndex, thesis §6.4): {@link Completion.Ok} carries what
     * {@code StateMachine.query} returned. A read that fails had no effect, so it is a
     * {@link Completion.Fail} whatever the reason.
     */
    Completion read(byte[] query);

    /**
     * Where a service with a client API of its own listens (the base URL of the KV store's HTTP
     * API, {@code http://127.0.0.1:8081}), for a {@link Client} that speaks that API instead of
     * proposing raw commands; read on each call, since a node that is replaced moves. Empty by
     * default, and for a node in the test's JVM.
     */
    default Optional<String> endpoint() {
        return Optional.empty();
    }
}
