package io.raftkit.verifier.verification;

import io.raftkit.api.spi.StateMachine;
import io.raftkit.verifier.spi.Client;
import io.raftkit.verifier.spi.Workload;
import io.raftkit.verifier.spi.Workloads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A verification of a user's {@link StateMachine}: which state machine, how clients reach it, what
 * they do, and under which faults. {@link #run} starts the nodes in this JVM
 * ({@link io.raftkit.verifier.cluster.InProcessCluster}), runs the clients while the nemesis injects
 * faults, heals, runs the workload's final operations, checks the history against the workload's
 * model and writes the report.
 *
 * <pre>{@code
 * VerificationResult r = new Verification(VerificationOptions.defaults(Path.of("target/verify/counter")))
 *         .stateMachine(Counter::new).client(new CounterClient()).workload(new CounterWorkload())
 *         .run();
 * }</pre>
 *
 * The JUnit extension ({@link io.raftkit.verifier.junit.Verify}) hands a test one of these to fill in.
 */
public final class Verification {

    private final VerificationOptions options;
    private Supplier<? extends StateMachine> stateMachines;
    private String mainClass;
    private boolean durableStores;
    private Client client;
    private Workload workload;

    public Verification(VerificationOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Makes a fresh state machine for each node start: every node, and every restart after a kill. */
    public Verification stateMachine(Supplier<? extends StateMachine> factory) {
        stateMachines = Objects.requireNonNull(factory, "factory");
        return this;
    }

    /**
     * Runs the nodes as JVM processes of {@code mainClass} (on this JVM's class path) instead of in
     * this JVM: real {@code kill -9}, {@code SIGSTOP}, restarts on the node's data directory, and the
     * networked, durable plugins the main class starts ({@link io.raftkit.verifier.process.ProcessCluster};
     * {@link io.raftkit.verifier.process.NodeProcess#run} is the one-line body of such a class). The
     * state machine is the main class's, so {@link #stateMachine} is not given.
     */
    public Verification processes(Class<?> mainClass) {
        return processes(Objects.requireNonNull(mainClass, "mainClass").getName());
    }

    /** As {@link #processes(Class)}, by class name. */
    public Verification processes(String mainClassName) {
        mainClass = Objects.requireNonNull(mainClassName, "mainClassName");
        return this;
    }

    /**
     * Nodes in this JVM keep their logs (and snapshots) in {@code mapdb} stores in a temporary
     * directory, deleted after the run, instead of in memory: a killed node restarts from its disk
     * as a real one does, through the store's recovery. raft-mapdb-storage must be on the class path.
     */
    public Verification durableStores() {
        durableStores = true;
        return this;
    }

    public Verification client(Client value) {
        client = Objects.requireNonNull(value, "client");
        return this;
    }

    public Verification workload(Workload value) {
        workload = Objects.requireNonNull(value, "workload");
        return this;
    }

    /** The workload found by name through ServiceLoader ({@link Workloads#named}). */
    public Verification workload(String name) {
        return workload(Workloads.named(name));
    }

    public VerificationOptions options() {
        return options;
    }

    /** Whether the nodes (a state machine, or a main class), a client and a workload were all given. */
    public boolean complete() {
        return (stateMachines != null) != (mainClass != null) && client != null && workload != null;
    }

    /** Runs the verification; blocks for about the configured time plus recovery and checking. */
    public VerificationResult run() {
        if (stateMachines != null && mainClass != null) {
            throw new IllegalStateException("a verification runs a state machine in this JVM or a main class as processes, not both;"
                    + " given " + mainClass + " and a state machine");
        }
        if (!complete()) {
            throw new IllegalStateException("a verification needs a state machine (or processes of a main class), a client and a"
                    + " workload; missing: " + (stateMachines == null && mainClass == null ? "stateMachine " : "")
                    + (client == null ? "client " : "") + (workload == null ? "workload" : "").strip());
        }
        try {
            return new VerificationRun(options, stateMachines, mainClass, durableStores, client, workload).run();
        } catch (IOException e) {
            throw new UncheckedIOException("the verification could not run or write its report in " + options.report(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying", e);
        }
    }

    @Override
    public String toString() {
        return "Verification" + options + (workload == null ? "" : " workload " + workload.name());
    }
}
