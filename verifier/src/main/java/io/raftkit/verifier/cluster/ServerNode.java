package io.raftkit.verifier.cluster;

import io.raftkit.core.server.RaftException;
import io.raftkit.core.server.RaftServer;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A {@link Node} backed by whichever {@link RaftServer} incarnation of one member runs now: a killed
 * member refuses at once (nothing was proposed), a restarted one serves from its new server.
 * Failures are classified by {@link RaftException#certainlyNotApplied()}: only a request that
 * certainly never reached the log is a {@link Completion.Fail}.
 */
final class ServerNode implements Node {

    private final String id;
    private final Supplier<RaftServer> current;
    private final long waitMillis;

    ServerNode(String id, Supplier<RaftServer> current, long waitMillis) {
        this.id = id;
        this.current = current;
        this.waitMillis = waitMillis;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Completion propose(byte[] command) {
        RaftServer server = current.get();
        if (server == null) {
            return Completion.fail("node " + id + " is down");
        }
        return await(server.propose(command), true);
    }

    @Override
    public Completion read(byte[] query) {
        RaftServer server = current.get();
        if (server == null) {
            return Completion.fail("node " + id + " is down");
        }
        return await(server.read(query), false);
    }

    /**
     * Waits for the server's answer. The wait is longer than the server's own request timeout, so a
     * live server answers first; only a paused one (its loop stopped, its deadlines unchecked) runs
     * into this wait, and then nobody knows whether the proposal will still be applied.
     */
    private Completion await(CompletableFuture<byte[]> future, boolean write) {
        try {
            return Completion.ok(future.get(waitMillis, TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = String.valueOf(cause.getMessage());
            // A read changes nothing, so however it failed it had no effect.
            if (!write || cause instanceof RaftException re && re.certainlyNotApplied()) {
                return Completion.fail(why);
            }
            return Completion.unknown(why);
        } catch (TimeoutException e) {
            return write ? Completion.unknown("no answer from " + id + " in " + waitMillis + " ms")
                    : Completion.fail("no answer from " + id + " in " + waitMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return write ? Completion.unknown("interrupted") : Completion.fail("interrupted");
        }
    }
}
