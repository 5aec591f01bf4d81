package io.raftkit.verifier.backend;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A running KV cluster the verifier can drive and hurt: local processes or Docker containers.
 * Every fault method returns once the fault is in place; {@link #healAll()} undoes every network
 * fault and resumes paused nodes (crashed nodes are restarted by {@link #restart}).
 */
public interface ClusterBackend extends AutoCloseable {

    /** Node ids in a stable order. */
    List<String> nodes();

    /** The HTTP base URL clients use for {@code node}. */
    String endpoint(String node);

    /** Starts every node and waits until the cluster has a leader. */
    void start() throws IOException, InterruptedException;

    /** The current leader as the nodes report it, if any answers. */
    Optional<String> leader();

    /** {@code kill -9}. */
    void kill(String node) throws IOException, InterruptedException;

    /** Starts a killed node again on its own data. */
    void restart(String node) throws IOException, InterruptedException;

    /** SIGSTOP. */
    void pause(String node) throws IOException, InterruptedException;

    /** SIGCONT. */
    void resume(String node) throws IOException, InterruptedException;

    /** {@code node} stops receiving from each of {@code from} (a one-way cut; call both ways for a symmetric one). */
    void dropFrom(String node, Set<String> from) throws IOException, InterruptedException;

    /** Removes every network fault and resumes paused nodes. */
    void healAll() throws IOException, InterruptedException;

    /** Stops everything and removes what the backend created (processes, containers, networks). */
    @Override
    void close();
}
