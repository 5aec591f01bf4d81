package io.raftkit.verifier.process;

import io.raftkit.api.spi.StateMachine;
import java.nio.ByteBuffer;

/**
 * A user's node main class as {@link ProcessCluster} starts it: the README's counter on the real
 * transport and log store, in one line.
 */
public final class CounterNode {

    /** The service: every node applies the same increments in the same order. */
    static final class Counter implements StateMachine {
        private long value;

        @Override
        public byte[] apply(long index, byte[] command) {
            value += ByteBuffer.wrap(command).getLong();
            return ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override
        public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(value).array();
        }
    }

    private CounterNode() {
    }

    public static void main(String[] args) throws Exception {
        NodeProcess.run(args, Counter::new);
    }
}
