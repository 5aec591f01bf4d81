package io.raftkit.core.scenario;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.EntryKind;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.core.ProposeResult;
import io.raftkit.core.RaftNode;
import io.raftkit.core.ReadState;
import io.raftkit.core.Ready;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A hand-driven cluster for paper tests and scripted scenarios: messages wait in a queue until a
 * test delivers them; Readies are carried out at once (persist, then queue messages, then apply).
 * Deterministic: fixed seeds, sorted maps, FIFO queue.
 */
public final class Harness {

    public final TreeMap<NodeId, RaftNode> nodes = new TreeMap<>();
    public final TreeMap<NodeId, List<String>> applied = new TreeMap<>();
    public final List<RaftMessage> inFlight = new ArrayList<>();
    public final List<String> events = new ArrayList<>();
    private final Set<String> cut = new HashSet<>();
    private final RaftConfig config;

    public Harness(int size) {
        this(size, RaftConfig.builder().electionTimeoutTicks(10, 20).heartbeatIntervalTicks(2).build());
    }

    public Harness(int size, RaftConfig config) {
        this.config = config;
        List<NodeId> ids = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            ids.add(NodeId.of("n" + i));
        }
        ClusterConfig cluster = ClusterConfig.ofVoters(ids);
        for (NodeId id : ids) {
            add(new RaftNode(id, cluster, config, new SplittableRandom(id.value().hashCode()), HardState.INITIAL, List.of(), 0, 0));
        }
    }

    public void add(RaftNode node) {
        nodes.put(node.id(), node);
        applied.putIfAbsent(node.id(), new ArrayList<>());
    }

    public RaftConfig config() {
        return config;
    }

    public RaftNode node(String id) {
        return nodes.get(NodeId.of(id));
    }

    /** Carries out every pending Ready of {@code node}; returns the Readies handled. */
    public List<Ready> process(RaftNode node) {
        List<Ready> handled = new ArrayList<>();
        while (node.hasReady()) {
            Ready ready = node.ready();
            handled.add(ready);
            inFlight.addAll(ready.messagesBeforePersist());
            inFlight.addAll(ready.messages());
            for (LogEntry e : ready.committedEntries()) {
                if (e.kind() == EntryKind.COMMAND) {
                    applied.get(node.id()).add(new String(e.payload(), StandardCharsets.UTF_8));
                }
            }
            for (ReadState rs : ready.readStates()) {
                events.add(node.id() + " read " + rs.requestId() + " ready at index " + rs.readIndex());
            }
            ready.readFailures().forEach(rf -> events.add(node.id() + " read " + rf.requestId() + " failed"));
            node.advance(ready);
        }
        return handled;
    }

    public void processAll() {
        nodes.values().forEach(this::process);
    }

    public void tick(RaftNode node, int times) {
        for (int i = 0; i < times; i++) {
            node.tick();
            process(node);
        }
    }

    /** Delivers queued messages (and those they cause) until none is left; returns how many. */
    public int deliverAll() {
        int count = 0;
        while (!inFlight.isEmpty() && count < 100_000) {
            RaftMessage m = inFlight.remove(0);
            count++;
            if (cut.contains(m.from() + ">" + m.to())) {
                continue;
            }
            RaftNode to = nodes.get(m.to());
            to.step(m);
            process(to);
        }
        return count;
    }

    /** Elects {@code id} by timing it out and delivering everything. */
    public RaftNode elect(String id) {
        RaftNode node = node(id);
        tick(node, config.electionTimeoutMaxTicks());
        deliverAll();
        return node;
    }

    public ProposeResult propose(String id, String command) {
        ProposeResult r = node(id).propose(command.getBytes(StandardCharsets.UTF_8));
        process(node(id));
        return r;
    }

    public void partition(List<String> side) {
        for (NodeId a : nodes.keySet()) {
            for (NodeId b : nodes.keySet()) {
                if (side.contains(a.value()) != side.contains(b.value())) {
                    cut.add(a + ">" + b);
                }
            }
        }
    }

    public void heal() {
        cut.clear();
    }

    public String describe(RaftNode n) {
        return n.id() + " " + n.role() + " term=" + n.term() + " commit=" + n.commitIndex() + " last=" + n.lastIndex()
                + " leader=" + n.leader().map(Object::toString).orElse("-") + " applied=" + applied.get(n.id());
    }
}
