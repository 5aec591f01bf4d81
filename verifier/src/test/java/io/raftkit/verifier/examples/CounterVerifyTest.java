package io.raftkit.verifier.examples;

import static io.raftkit.verifier.nemesis.Fault.KILL;
import static io.raftkit.verifier.nemesis.Fault.PARTITION;
import static io.raftkit.verifier.nemesis.Fault.PAUSE;

import io.raftkit.api.spi.StateMachine;
import io.raftkit.verifier.generator.CounterWorkload;
import io.raftkit.verifier.junit.Verify;
import io.raftkit.verifier.spi.Client;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.verification.Verification;
import java.nio.ByteBuffer;

/** The README's replicated counter, verified under partitions, kills and pauses. */
class CounterVerifyTest {

    /** The service: every node applies the same increments in the same order. */
    static final class Counter implements StateMachine {
        private long value;

        @Override public byte[] apply(long index, byte[] command) {
            value += ByteBuffer.wrap(command).getLong();
            return ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(value).array();
        }
    }

    /** How the verifier's clients talk to it: add n is a command, read a linearizable query. */
    static final class CounterClient implements Client {
        @Override public Completion invoke(Node node, Op op) {
            if (op.f().equals("add")) {
                return node.propose(ByteBuffer.allocate(8).putLong(op.longValue()).array());
            }
            return node.read(new byte[0]).map(sum -> ByteBuffer.wrap((byte[]) sum).getLong());
        }
    }

    @Verify(nodes = 5, seconds = 30, nemesis = {PARTITION, KILL, PAUSE})
    void counterIsLinearizable(Verification v) {
        v.stateMachine(Counter::new).client(new CounterClient()).workload(new CounterWorkload());
    }
}
