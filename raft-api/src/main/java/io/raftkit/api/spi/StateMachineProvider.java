package io.raftkit.api.spi;

/** Creates {@link StateMachine}s; registered in {@code META-INF/services/io.raftkit.api.spi.StateMachineProvider}. */
public interface StateMachineProvider extends Plugin {

    StateMachine create(StateMachineConfig config);
}
