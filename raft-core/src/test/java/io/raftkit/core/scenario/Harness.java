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
 *
 * <p>Each node has a disk: what its Readies persisted. A link can be held (its messages wait in the
 * queue until released) or have its queued messages dropped; a node's disk can be stalled (its
 * Readies only send their early messages; the rest waits, and a crash loses it), and a node can
 * crash and restart from its disk.
 */
public final class Harness {

    /** What a node's Readies made durable. */
    private static final class Disk {
        final List<LogEntry> entries = new ArrayList<>();
        HardState hardState = HardState.INITIAL;

        void persist(Ready ready) {
            if (!ready.entries().isEmpty()) {
                long first = ready.entries().get(0).index();
                entries.subList((int) first - 1, entries.size()).clear();
                entries.addAll(ready.entries());
            }
            if (ready.hardState() != null) {
                hardState = ready.hardState();
            }
        }
    }

    public final TreeMap<NodeId, RaftNode> nodes = new TreeMap<>();
    public final TreeMap<NodeId, List<String>> applied = new TreeMap<>();
    public final List<RaftMessage> inFlight = new ArrayList<>();
    public final List<String> events = new ArrayList<>();
    private final Set<String> cut = new HashSet<>();
    private final Set<String> held = new HashSet<>();
    private final TreeMap<NodeId, Disk> disks = new TreeMap<>();
    /** Readies of a stalled node: early messages sent, the rest waiting for its disk. */
    private final TreeMap<NodeId, List<Ready>> stalled = new TreeMap<>();
    private final TreeMap<NodeId, Integer> restarts = new TreeMap<>();
    private final RaftConfig config;
    private final ClusterConfig members;

    public Harness(int size) {
        this(size, RaftConfig.builder().electionTimeoutTicks(10, 20).heartbeatIntervalTicks(2).build());
    }

    public Harness(int size, RaftConfig config) {
        this(size, 0, config);
    }

    /** {@code voters} voters n1.., then {@code learners} learners. */
    public Harness(int voters, int learners, RaftConfig config) {
        this.config = config;
        Set<NodeId> voterIds = new java.util.TreeSet<>();
        Set<NodeId> learnerIds = new java.util.TreeSet<>();
        for (int i = 1; i <= voters + learners; i++) {
            (i <= voters ? voterIds : learnerIds).add(NodeId.of("n" + i));
        }
        this.members = new ClusterConfig(voterIds, learnerIds);
        for (NodeId id : members.members()) {
            add(new RaftNode(id, members, config, new SplittableRandom(id.value().hashCode()), HardState.INITIAL, List.of(), 0, 0));
        }
    }

    public void add(RaftNode node) {
        nodes.put(node.id(), node);
        applied.putIfAbsent(node.id(), new ArrayList<>());
        disks.putIfAbsent(node.id(), new Disk());
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
            List<Ready> waiting = stalled.get(node.id());
            if (waiting != null) {
                waiting.add(ready); // its disk is stalled: the rest waits for it
                continue;
            }
            finish(node, ready);
        }
        return handled;
    }

    /** The Ready is durable: persist, send the rest, apply, serve reads, advance. */
    private void finish(RaftNode node, Ready ready) {
        disks.get(node.id()).persist(ready);
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

    /** From now on {@code id}'s writes do not complete: only the early messages of its Readies leave. */
    public void stall(String id) {
        stalled.putIfAbsent(NodeId.of(id), new ArrayList<>());
    }

    /** {@code id}'s stalled writes complete, in order. */
    public void unstall(String id) {
        RaftNode node = node(id);
        List<Ready> waiting = stalled.remove(node.id());
        if (waiting != null) {
            waiting.forEach(r -> finish(node, r));
            process(node);
        }
    }

    /** The process dies: whatever its stalled disk had not written is lost, and so is its memory. */
    public void crash(String id) {
        NodeId nodeId = NodeId.of(id);
        stalled.remove(nodeId);
        nodes.remove(nodeId);
    }

    /** Starts {@code id} again from its disk, with an empty state machine (it replays the log). */
    public RaftNode restart(String id) {
        NodeId nodeId = NodeId.of(id);
        Disk disk = disks.get(nodeId);
        int incarnation = restarts.merge(nodeId, 1, Integer::sum);
        RaftNode node = new RaftNode(nodeId, members, config, new SplittableRandom(id.hashCode() * 31L + incarnation),
                disk.hardState, List.copyOf(disk.entries), 0, 0);
        applied.put(nodeId, new ArrayList<>());
        add(node);
        return node;
    }

    /** Messages on {@code from -> to} ({@code *} for any node) wait in the queue until released. */
    public void hold(String from, String to) {
        held.add(from + ">" + to);
    }

    public void release(String from, String to) {
        held.remove(from + ">" + to);
    }

    /** Drops the messages queued on {@code from -> to} ({@code *} for any node); returns how many. */
    public int drop(String from, String to) {
        int before = inFlight.size();
        inFlight.removeIf(m -> matches(from, m.from()) && matches(to, m.to()));
        return before - inFlight.size();
    }

    private static boolean matches(String pattern, NodeId id) {
        return pattern.equals("*") || pattern.equals(id.value());
    }

    private boolean isHeld(RaftMessage m) {
        return held.contains(m.from() + ">" + m.to()) || held.contains(m.from() + ">*") || held.contains("*>" + m.to());
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

    /**
     * Delivers queued messages (and those they cause) until none is left but held ones; returns how
     * many. Messages to a crashed node, or on a cut link, are lost.
     */
    public int deliverAll() {
        int count = 0;
        for (int i = 0; i < inFlight.size() && count < 100_000; ) {
            RaftMessage m = inFlight.get(i);
            if (isHeld(m)) {
                i++;
                continue;
            }
            inFlight.remove(i);
            count++;
            RaftNode to = nodes.get(m.to());
            if (cut.contains(m.from() + ">" + m.to()) || to == null) {
                continue;
            }
            to.step(m);
            process(to); // what it causes joins the end of the queue
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
