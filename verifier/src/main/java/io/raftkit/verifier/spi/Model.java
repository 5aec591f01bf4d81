package io.raftkit.verifier.spi;

import java.util.Optional;
import java.util.Set;

/**
 * A sequential specification: what a correct single copy of a service answers, written as a step
 * function. The linearizability checker (the Wing-Gong-Lowe search in {@code raftkit.checker.wgl})
 * looks for an order of a history's operations, each placed between its invocation and its
 * completion, in which every step is legal; a history with no such order is not linearizable.
 *
 * <p>States must be immutable values with {@code equals} and {@code hashCode} (records, boxed
 * numbers, {@code List.of}, {@code Set.copyOf}): the search memoizes (linearized set, state) pairs,
 * so two equal states must behave alike and a state must never change after it is returned. A state
 * is never null: wrap a value that may be null, as {@link io.raftkit.verifier.model.RegisterModel} does.
 *
 * <p>Threads: the checker checks independent keys in parallel, each with its own states, and may call
 * one model from several threads at once: keep {@code step} free of mutable fields.
 *
 * <p>Ready-made models live in {@code io.raftkit.verifier.model}; {@link Models#named} finds them and
 * any other implementation listed in {@code META-INF/services/io.raftkit.verifier.spi.Model}
 * (a public no-argument constructor).
 *
 * @param <S> the state type
 */
public interface Model<S> {

    /** The name a workload or {@code raft-verifier check --model} uses for this model. */
    String name();

    /** The state before any operation. Never null. */
    S initialState();

    /** The functions an operation may have; a history with any other is refused before the search. */
    Set<String> functions();

    /**
     * The state after {@code op} takes effect in {@code state}, or empty when {@code op} could not
     * have happened there (a read of a value the state does not hold, a release of a free lock).
     * Must not throw for a function listed in {@link #functions}; must not change {@code state}.
     */
    Optional<S> step(S state, Op op);
}
