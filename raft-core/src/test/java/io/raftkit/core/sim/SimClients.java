package io.raftkit.core.sim;

import io.raftkit.api.NodeId;
import io.raftkit.core.ProposeResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Simulated clients. Each has one operation outstanding: a write of a unique value, or a
 * linearizable read. They follow NotLeader hints, and give up after a timeout (the write's outcome
 * is then unknown, as for a real client). Each completed read's state must lie between the writes
 * acknowledged before it was invoked (no stale reads) and the writes invoked before it completed.
 */
final class SimClients {

    private static final int TIMEOUT_TICKS = 60;

    private final class Client {
        final int id;
        NodeId target;
        boolean busy;
        boolean isRead;
        long value;
        long readId;
        long invokedTick;
        long firstInvokedTick;
        long ackedIndexAtInvoke;
        NodeId proposedTo;
        long proposedIndex;
        long proposedTerm;
        long retryAtTick;

        Client(int id, NodeId target) {
            this.id = id;
            this.target = target;
        }
    }

    private final SimCluster cluster;
    private final RandomGenerator random;
    private final List<Client> clients = new ArrayList<>();
    private final Map<Long, Client> readsById = new HashMap<>();
    private long nextValue = 1;
    private long nextReadId = 1;
    private long maxAckedIndex;
    long writesAcked;
    long readsServed;
    /** Writes invoked at or after this tick must complete (the healing phase's liveness check). */
    long mustCompleteFromTick = Long.MAX_VALUE;
    /** From this tick no new operation starts (the quiet stretch at the end of a run). */
    long quietFromTick = Long.MAX_VALUE;

    SimClients(SimCluster cluster, RandomGenerator random, int count) {
        this.cluster = cluster;
        this.random = random;
        for (int i = 0; i < count; i++) {
            clients.add(new Client(i, cluster.randomNode(random)));
        }
    }

    void step(long tick) {
        for (Client c : clients) {
            if (c.busy && tick - c.invokedTick > TIMEOUT_TICKS) {
                giveUp(c, tick);
            }
            if (!c.busy && tick >= c.retryAtTick && tick < quietFromTick && random.nextInt(4) == 0) {
                invoke(c, tick, random.nextInt(3) == 0);
            }
        }
    }

    private void giveUp(Client c, long tick) {
        if (c.firstInvokedTick >= mustCompleteFromTick) {
            throw new SafetyViolation("liveness after healing", "client " + c.id + "'s " + (c.isRead ? "read" : "write " + c.value)
                    + " invoked at tick " + c.firstInvokedTick + " on a healed cluster did not complete in " + TIMEOUT_TICKS + " ticks");
        }
        cluster.trace("client " + c.id + " timeout " + (c.isRead ? "read " + c.readId : "write " + c.value));
        readsById.remove(c.readId);
        c.busy = false;
        c.target = cluster.randomNode(random);
    }

    private void invoke(Client c, long tick, boolean read) {
        c.busy = true;
        c.isRead = read;
        c.invokedTick = tick;
        c.firstInvokedTick = tick;
        c.ackedIndexAtInvoke = maxAckedIndex;
        if (read) {
            c.readId = nextReadId++;
            readsById.put(c.readId, c);
        } else {
            c.value = nextValue++;
        }
        attempt(c);
    }

    private void attempt(Client c) {
        SimNode node = cluster.node(c.target);
        if (node == null || !node.up) {
            return; // the request is lost; the client times out
        }
        if (c.isRead) {
            cluster.trace("client " + c.id + " read " + c.readId + " at " + c.target);
            node.raft.readIndex(c.readId);
        } else {
            ProposeResult r = node.raft.propose(SimNode.encode(c.value));
            if (cluster.traced()) {
                cluster.trace("client " + c.id + " propose " + c.value + " at " + c.target + " -> " + r);
            }
            if (r instanceof ProposeResult.Accepted a) {
                c.proposedTo = c.target;
                c.proposedIndex = a.index();
                c.proposedTerm = a.term();
            } else if (r instanceof ProposeResult.NotLeader nl) {
                redirect(c, nl.leaderHint().orElse(null));
            } else if (r instanceof ProposeResult.Rejected) {
                c.busy = false;
                c.retryAtTick = cluster.tick() + 2;
            } else {
                throw new AssertionError("unhandled " + r);
            }
        }
        cluster.processReady(node);
    }

    private void redirect(Client c, NodeId hint) {
        c.target = hint != null ? hint : cluster.randomNode(random);
        c.busy = false;
        c.retryAtTick = cluster.tick() + 1;
        if (c.isRead) {
            readsById.remove(c.readId);
        }
    }

    /** A node applied a command: completes the write of the client that proposed it there. */
    void onApplied(SimNode node, long index, long term, Long value) {
        for (Client c : clients) {
            if (!c.busy || c.isRead || c.proposedTo == null || !c.proposedTo.equals(node.id) || c.proposedIndex != index) {
                continue;
            }
            if (c.proposedTerm == term && value != null && value == c.value) {
                maxAckedIndex = Math.max(maxAckedIndex, index);
                writesAcked++;
                cluster.trace("client " + c.id + " ack " + c.value + " at " + index);
                c.busy = false;
            } else {
                if (c.firstInvokedTick >= mustCompleteFromTick) {
                    throw new SafetyViolation("liveness after healing", "client " + c.id + "'s write " + c.value
                            + " accepted at " + index + "@" + c.proposedTerm + " on a healed cluster was overwritten");
                }
                cluster.trace("client " + c.id + " dropped " + c.value + " at " + index);
                c.busy = false; // overwritten by another leader: certainly not applied
            }
            c.proposedTo = null;
        }
    }

    /** A node served a read after applying up to its read index. */
    void onRead(SimNode node, long readId, long appliedIndex) {
        Client c = readsById.remove(readId);
        if (c == null || !c.busy || !c.isRead) {
            return;
        }
        if (appliedIndex < c.ackedIndexAtInvoke) {
            throw new SafetyViolation("linearizable reads", "read " + readId + " at " + node.id + " saw state up to index "
                    + appliedIndex + " but a write acknowledged at index " + c.ackedIndexAtInvoke + " before the read began");
        }
        // Values are handed out in invocation order, so every write invoked before this moment has
        // a value below nextValue: a state holding a larger one saw a write from the future.
        if (node.maxAppliedValue >= nextValue) {
            throw new SafetyViolation("linearizable reads", "read " + readId + " at " + node.id + " saw value "
                    + node.maxAppliedValue + " that no client had written yet (next value " + nextValue + ")");
        }
        readsServed++;
        cluster.trace("client " + c.id + " read " + readId + " = " + appliedIndex);
        c.busy = false;
    }

    void onReadFailed(long readId, NodeId hint) {
        Client c = readsById.get(readId);
        if (c != null && c.busy) {
            redirect(c, hint);
        }
    }

    void onCrash(NodeId node) {
        for (Iterator<Client> it = clients.iterator(); it.hasNext(); ) {
            Client c = it.next();
            if (c.busy && node.equals(c.proposedTo)) {
                c.proposedTo = null; // the reply will never come; the client times out
            }
        }
    }
}
