package io.raftkit.core.sim;

import io.raftkit.api.NodeId;
import io.raftkit.core.server.ProposalDroppedException;
import io.raftkit.core.server.NotLeaderException;
import io.raftkit.core.server.RaftException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;

/**
 * Simulated clients of the production {@code RaftServer} API. Each has one operation outstanding:
 * a write of a unique value to one of a few registers, or a linearizable read of one. They follow
 * NotLeader hints and give up after a timeout (a write's outcome is then unknown, as for a real
 * client). Two checks:
 * <ul>
 *   <li>at once, per read: its state holds every write acknowledged before the read was invoked (the
 *       read index check), and no value not yet written when it completed;</li>
 *   <li>at the end, per register: the history of acknowledged operations is linearizable. A write
 *       whose outcome the client never learned counts from the moment the first node applied it
 *       (the write was committed by then, so every later read must see it or a newer value); one
 *       that no node ever applied is left out, as a write that never happened.</li>
 * </ul>
 * A write the server called certainly not applied must indeed never be applied anywhere.
 */
final class SimClients {

    static final int TIMEOUT_TICKS = 60;

    private final class Client {
        final int id;
        NodeId target;
        boolean busy;
        boolean write;
        int key;
        long value;
        long invokedNanos;
        long invokedTick;
        long ackedIndexAtInvoke;
        long retryAtTick;
        /** Redirected: the next operation goes out at {@code retryAtTick}, without think time. */
        boolean redirected;
        int generation;

        Client(int id, NodeId target) {
            this.id = id;
            this.target = target;
        }

        String describe() {
            return "client " + id + (write ? " write " + value : " read") + " of r" + key;
        }
    }

    /** A write whose outcome its client never learned. */
    private record Unknown(int client, int key, long value, long invokedNanos) {
    }

    private final SimCluster cluster;
    private final RandomGenerator random;
    private final List<Client> clients = new ArrayList<>();
    private final List<List<RegisterChecker.Op>> histories = new ArrayList<>();
    private final List<Unknown> unknown = new ArrayList<>();
    /** When a value was first applied by any node. */
    private final Map<Long, Long> firstApplied = new HashMap<>();
    /** Values whose write the server reported as certainly not applied. */
    private final Map<Long, String> notApplied = new HashMap<>();
    private long nextValue = 1;
    private long maxAckedIndex;
    long writesAcked;
    long readsServed;
    long requests;
    /** Operations invoked at or after this tick must complete (the healing phase's liveness check). */
    long mustCompleteFromTick = Long.MAX_VALUE;
    /** From this tick no new operation starts (the quiet stretch at the end of a run). */
    long quietFromTick = Long.MAX_VALUE;

    SimClients(SimCluster cluster, RandomGenerator random, int count) {
        this.cluster = cluster;
        this.random = random;
        for (int i = 0; i < count; i++) {
            clients.add(new Client(i, cluster.randomNode(random)));
        }
        for (int k = 0; k < SimRegisters.KEYS; k++) {
            histories.add(new ArrayList<>());
        }
    }

    void step(long tick) {
        for (Client c : clients) {
            if (c.busy && tick - c.invokedTick > TIMEOUT_TICKS) {
                giveUp(c, "timed out");
            }
            boolean due = c.redirected || random.nextInt(4) == 0; // otherwise a think time of 4 ticks on average
            if (!c.busy && tick >= c.retryAtTick && tick < quietFromTick && due) {
                c.redirected = false;
                invoke(c, tick, random.nextBoolean());
            }
        }
    }

    private void invoke(Client c, long tick, boolean write) {
        c.busy = true;
        c.write = write;
        c.key = random.nextInt(SimRegisters.KEYS);
        c.invokedTick = tick;
        c.invokedNanos = cluster.events.nowNanos();
        c.ackedIndexAtInvoke = maxAckedIndex;
        c.generation++;
        if (write) {
            c.value = nextValue++;
        }
        attempt(c);
    }

    private void attempt(Client c) {
        SimNode node = cluster.node(c.target);
        if (!node.up) {
            if (cluster.traced()) {
                cluster.trace(c.describe() + " sent to " + c.target + ", which is down");
            }
            return; // the request is lost; the client times out
        }
        requests++;
        cluster.budget.countRequest(node.id);
        int incarnation = node.incarnation;
        int generation = c.generation;
        CompletableFuture<byte[]> future = c.write
                ? node.server.propose(SimRegisters.write(c.key, c.value))
                : node.server.read(SimRegisters.read(c.key));
        if (cluster.traced()) {
            cluster.trace(c.describe() + " at " + c.target);
        }
        future.whenComplete((result, error) -> {
            if (node.isAlive(incarnation) && c.busy && c.generation == generation) {
                completed(c, node, result, error);
            }
        });
    }

    private void completed(Client c, SimNode node, byte[] result, Throwable error) {
        if (error != null) {
            failed(c, error instanceof CompletionException ? error.getCause() : error);
            return;
        }
        long now = cluster.events.nowNanos();
        ByteBuffer b = ByteBuffer.wrap(result);
        if (c.write) {
            long index = b.getLong();
            maxAckedIndex = Math.max(maxAckedIndex, index);
            writesAcked++;
            histories.get(c.key).add(new RegisterChecker.Op(c.id, true, c.value, c.invokedNanos, now));
            if (cluster.traced()) {
            cluster.trace(c.describe() + " ok at index " + index);
        }
        } else {
            long value = b.getLong();
            long appliedIndex = b.getLong();
            long maxValue = b.getLong();
            if (appliedIndex < c.ackedIndexAtInvoke) {
                throw cluster.violations.record(new SafetyViolation("linearizable reads", c.describe() + " at " + node.id
                        + " saw state up to index " + appliedIndex + " but a write acknowledged at index "
                        + c.ackedIndexAtInvoke + " before the read began"));
            }
            // Values are handed out in invocation order, so every write invoked before this moment has
            // a value below nextValue: a state holding a larger one saw a write from the future.
            if (maxValue >= nextValue) {
                throw cluster.violations.record(new SafetyViolation("linearizable reads", c.describe() + " at " + node.id
                        + " saw value " + maxValue + " that no client had written yet (next value " + nextValue + ")"));
            }
            readsServed++;
            histories.get(c.key).add(new RegisterChecker.Op(c.id, false, value, c.invokedNanos, now));
            if (cluster.traced()) {
            cluster.trace(c.describe() + " = " + value + " (applied " + appliedIndex + ")");
        }
        }
        c.busy = false;
    }

    private void failed(Client c, Throwable error) {
        if (!(error instanceof RaftException e)) {
            throw cluster.violations.record(new SafetyViolation("client API", c.describe() + " failed with " + error));
        }
        if (e instanceof ProposalDroppedException && c.invokedTick >= mustCompleteFromTick) {
            throw cluster.violations.record(new SafetyViolation("liveness after healing", c.describe()
                    + " on a healed cluster was overwritten: " + e.getMessage()));
        }
        if (!e.certainlyNotApplied()) {
            giveUp(c, e.getMessage());
            return;
        }
        if (c.write) {
            notApplied.put(c.value, e.getClass().getSimpleName());
            if (firstApplied.containsKey(c.value)) {
                throw wrongOutcome(c.value);
            }
        }
        if (cluster.traced()) {
            cluster.trace(c.describe() + " failed, not applied: " + e.getMessage());
        }
        c.busy = false;
        c.retryAtTick = cluster.tick() + 1;
        c.redirected = true; // a real client follows a redirect at once (with a new operation here)
        NodeId hint = e instanceof NotLeaderException nl ? nl.leaderHint().orElse(null) : null;
        c.target = hint != null ? hint : cluster.randomNode(random);
    }

    private void giveUp(Client c, String why) {
        if (c.invokedTick >= mustCompleteFromTick) {
            throw cluster.violations.record(new SafetyViolation("liveness after healing", c.describe() + " invoked at tick "
                    + c.invokedTick + " on a healed cluster did not complete: " + why));
        }
        if (cluster.traced()) {
            cluster.trace(c.describe() + " gave up: " + why);
        }
        if (c.write) {
            unknown.add(new Unknown(c.id, c.key, c.value, c.invokedNanos));
        }
        c.busy = false;
        c.target = cluster.randomNode(random);
    }

    /** Some node applied the write of {@code value}: the ground truth for writes of unknown outcome. */
    void onApplied(long value) {
        if (firstApplied.putIfAbsent(value, cluster.events.nowNanos()) == null && notApplied.containsKey(value)) {
            throw wrongOutcome(value);
        }
    }

    private SafetyViolation wrongOutcome(long value) {
        return cluster.violations.record(new SafetyViolation("client outcomes", "the write of " + value
                + " was reported certainly not applied (" + notApplied.get(value) + ") but a node applied it"));
    }

    /** Checks each register's history; empty when all are linearizable. */
    Optional<String> checkLinearizable() {
        for (Unknown u : unknown) {
            Long at = firstApplied.get(u.value());
            if (at != null) {
                histories.get(u.key()).add(new RegisterChecker.Op(u.client(), true, u.value(), u.invokedNanos(), at));
            }
        }
        unknown.clear();
        for (int k = 0; k < histories.size(); k++) {
            Optional<String> bad = RegisterChecker.check(histories.get(k));
            if (bad.isPresent()) {
                return Optional.of("register r" + k + ": " + bad.get());
            }
        }
        return Optional.empty();
    }

    int historySize() {
        int n = 0;
        for (List<RegisterChecker.Op> h : histories) {
            n += h.size();
        }
        return n;
    }
}
