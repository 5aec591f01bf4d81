package io.raftkit.verifier.junit;

import io.raftkit.verifier.nemesis.Fault;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test that verifies a state machine under faults. The method takes a
 * {@link io.raftkit.verifier.verification.Verification} and says what to verify; when it returns,
 * the extension starts {@link #nodes} nodes of the state machine in this JVM (or as processes of a
 * main class, when the method calls {@code Verification.processes}), runs the workload's
 * clients for {@link #seconds} while the {@link #nemesis} injects faults, checks the history against
 * the workload's model, and fails the test with the anomaly and the report's path
 * ({@code target/verify/<class>/<method>/timeline.html}) if it is not linearizable, undecided, or
 * the cluster did not serve again after the faults.
 *
 * <pre>{@code
 * @Verify(nodes = 5, seconds = 30, nemesis = {PARTITION, KILL, PAUSE})
 * void counterIsLinearizable(Verification v) {
 *     v.stateMachine(Counter::new).client(new CounterClient()).workload(new CounterWorkload());
 * }
 * }</pre>
 *
 * System properties override the annotation for every such test, for longer or other runs without
 * editing them: {@code raftkit.verify.seconds}, {@code raftkit.verify.seed}. A key's history must
 * stay searchable: one counter's 120 s history checks in seconds, its 300 s one outgrew the memo
 * budget (undecided); spread long runs over independent keys ({@code Op.on}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@ExtendWith(VerifyExtension.class)
public @interface Verify {

    /** Voters in the cluster. */
    int nodes() default 5;

    /** How long the clients run while faults are injected. */
    int seconds() default 30;

    /** The fault kinds, injected in turn; {@link Fault#CRASH} is a kill here (the in-memory log has nothing unsynced). */
    Fault[] nemesis() default {Fault.PARTITION, Fault.KILL, Fault.PAUSE};

    /** The fault schedule, the clients' operations and the election timeouts are drawn from it. */
    long seed() default 1;

    /** Client processes at once. */
    int concurrency() default 5;

    /**
     * Operations all clients together start per second, on average. The search's cost grows with the
     * history of the one key a counter has; unthrottled, five in-process clients ran 237,000
     * operations in 30 s, whose check exhausted its memo after six of them ended unknown.
     */
    int opsPerSecond() default 100;

    /** A fault starts about this often and lasts half to one and a half of it. */
    int faultMillis() default 3000;

    /** How long a node keeps a proposal or read before failing it. */
    int requestTimeoutMillis() default 1000;

    /**
     * Nodes keep their logs (and snapshots) in {@code mapdb} stores in a temporary directory instead of
     * in memory, so a killed node restarts from its disk ({@code Verification.durableStores()});
     * raft-mapdb-storage must be on the test class path.
     */
    boolean durableStores() default false;
}
