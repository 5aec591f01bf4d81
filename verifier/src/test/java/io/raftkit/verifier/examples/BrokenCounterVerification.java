package io.raftkit.verifier.examples;

import static io.raftkit.verifier.nemesis.Fault.KILL;
import static io.raftkit.verifier.nemesis.Fault.PARTITION;
import static io.raftkit.verifier.nemesis.Fault.PAUSE;

import io.raftkit.verifier.examples.CounterVerifyTest.Counter;
import io.raftkit.verifier.generator.CounterWorkload;
import io.raftkit.verifier.junit.Verify;
import io.raftkit.verifier.spi.Client;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.verification.Verification;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The same counter with a front end that acknowledges an add before Raft commits it: it waits 50 ms
 * for the commit and then says ok anyway. When the cluster is healthy a commit takes far less, so
 * the answers are right; when the leader is cut off, paused or killed, the add it acknowledged may
 * never commit. The same {@code @Verify} test as {@link CounterVerifyTest}'s must fail on it.
 *
 * <p>Not named *Test: the build runs it through {@link BrokenCounterIsCaughtTest}, which asserts
 * that it fails, and how.
 */
public class BrokenCounterVerification {

    public static final class AckBeforeCommitClient implements Client {
        /**
         * Its own threads, one per proposal in flight: on the common pool (one thread on a 2-core
         * machine) a proposal stuck on a paused node would hold back the others, and adds that were
         * never proposed would be acknowledged, a cruder bug than the one meant here.
         */
        private static final ExecutorService PROPOSERS = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ack-before-commit");
            t.setDaemon(true);
            return t;
        });

        @Override public Completion invoke(Node node, Op op) {
            if (!op.f().equals("add")) {
                return node.read(new byte[0]).map(sum -> ByteBuffer.wrap((byte[]) sum).getLong());
            }
            byte[] command = ByteBuffer.allocate(8).putLong(op.longValue()).array();
            CompletableFuture<Completion> commit = CompletableFuture.supplyAsync(() -> node.propose(command), PROPOSERS);
            try {
                return commit.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                return Completion.ok(null); // the bug: acknowledged before it committed
            } catch (InterruptedException | ExecutionException e) {
                return Completion.unknown(e.toString());
            }
        }
    }

    @Verify(nodes = 5, seconds = 30, nemesis = {PARTITION, KILL, PAUSE})
    void counterIsLinearizable(Verification v) {
        v.stateMachine(Counter::new).client(new AckBeforeCommitClient()).workload(new CounterWorkload());
    }
}
