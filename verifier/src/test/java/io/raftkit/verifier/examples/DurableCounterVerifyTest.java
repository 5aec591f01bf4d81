package io.raftkit.verifier.examples;

import static io.raftkit.verifier.nemesis.Fault.KILL;
import static io.raftkit.verifier.nemesis.Fault.PARTITION;

import io.raftkit.verifier.examples.CounterVerifyTest.Counter;
import io.raftkit.verifier.examples.CounterVerifyTest.CounterClient;
import io.raftkit.verifier.generator.CounterWorkload;
import io.raftkit.verifier.junit.Verify;
import io.raftkit.verifier.verification.Verification;

/** The README's counter with its logs in mapdb stores: every restart after a kill recovers from disk. */
class DurableCounterVerifyTest {

    @Verify(nodes = 3, seconds = 10, nemesis = {KILL, PARTITION}, faultMillis = 2000, durableStores = true)
    void counterOnDurableStoresIsLinearizable(Verification v) {
        v.stateMachine(Counter::new).client(new CounterClient()).workload(new CounterWorkload());
    }
}
