package io.raftkit.core.server;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.EntryKind;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.api.spi.Transport;
import io.raftkit.core.Mutant;
import io.raftkit.core.ProposeResult;
import io.raftkit.core.RaftNode;
import io.raftkit.core.Ready;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Drives one {@link RaftNode}: the only code that touches a clock, a thread, the transport, the
 * log store and the state machine. One {@link Loop} owns the node. Each turn it runs what arrived
 * (messages, proposals, reads: all of them, which is what batches proposals), ticks when a tick is
 * due, and carries out each {@link Ready} in the order that makes Raft durable: send the leader's
 * early messages, persist, send the rest, apply, advance. Persisting happens on a {@link LogWriter}
 * worker: the Ready's remaining messages and its advance wait for the write, everything else goes on.
 *
 * <p>Time, the loop and the worker come from a {@link Platform}: real threads in production, virtual
 * ones in the simulator, which therefore runs this very class.
 *
 * <p>A LogStore I/O failure, or an exception from the state machine, stops the node loudly: one
 * ERROR line, every pending request fails with {@link NodeStoppedException}, the transport closes,
 * and {@link #status()} says why. Continuing could acknowledge writes that are not durable.
 *
 * <p>raft-core depends on nothing but raft-api, so this logs through {@link System.Logger}; an
 * application routes it to SLF4J with {@code slf4j-jdk-platform-logging}.
 */
public final class RaftServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RaftServer.class.getName());

    private final NodeId self;
    private final ClusterConfig cluster;
    private final RaftConfig config;
    private final Transport transport;
    private final LogStore logStore;
    private final StateMachine stateMachine;
    private final RandomGenerator random;
    private final Platform platform;
    private final DriverProbe probe;
    /** Null when this server takes no snapshots (no store, or a state machine without them). */
    private final Snapshotter snapshotter;
    private volatile SnapshotStats snapshotStats = SnapshotStats.NONE;
    private final long requestTimeoutNanos;
    /**
     * The heap guard, kept as a last resort (issue 16): the log holds only entries not yet durable
     * or applied plus a bounded cache (RaftConfig.logCache), so what can still grow is what a leader
     * accepts and cannot commit (cut off with CheckQuorum off, or its followers' disks stalled). A
     * normal workload commits within round trips and never nears the limit; that leader refuses
     * proposals instead of running out of heap. Each server counts against the whole heap.
     */
    private final long maxHeapBytes;

    private final ProposalRequests proposals = new ProposalRequests();
    private final MembershipRequests membership;
    private final TransportPeers transportPeers;
    private final ReadRequests reads;
    private final Loop loop;
    /** Peer messages queued for the loop; the transport pauses reading while it is too deep. */
    private final Inbox inbox;
    private LogWriter writer;
    /** Reads evicted entries back from the store, on the writer's worker (the store's one thread). */
    private LogReader reader;
    /** Readys handed to the writer and not yet reported durable (loop thread only). */
    private int writesInFlight;

    private RaftNode node;
    private long appliedIndex;
    private volatile boolean running;
    private volatile String failure;
    private volatile RaftStatus status;

    RaftServer(NodeId self, ClusterConfig cluster, RaftConfig config, Transport transport, LogStore logStore,
               StateMachine stateMachine, RandomGenerator random, long requestTimeoutMillis, long maxHeapBytes,
               Platform platform, DriverProbe probe, Inbox inbox, SnapshotStore snapshotStore, SnapshotPolicy snapshotPolicy) {
        this.self = self;
        this.inbox = inbox;
        this.cluster = cluster;
        this.config = config;
        this.transport = transport;
        this.logStore = logStore;
        this.stateMachine = stateMachine;
        this.random = random;
        this.platform = platform;
        this.probe = probe;
        this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMillis);
        this.maxHeapBytes = maxHeapBytes;
        // A random start, so an earlier incarnation's read answers match no new read (ReadRequests).
        long firstReadId = (random.nextLong() >>> 1) | 1;
        this.reads = new ReadRequests(Mutant.isActive(Mutant.READ_IDS_RESTART_AT_ONE) ? 1 : firstReadId);
        this.transportPeers = new TransportPeers(self, transport, cluster.members());
        this.membership = new MembershipRequests(transportPeers);
        this.loop = platform.loop("raft-" + self + "-loop", TimeUnit.MILLISECONDS.toNanos(config.tickMillis()), new Loop.Handler() {
            @Override
            public void tick() {
                onTick();
            }

            @Override
            public void turnEnded() {
                onTurnEnded();
            }

            @Override
            public void failed(Throwable cause) {
                onLoopFailure(cause);
            }
        });
        this.snapshotter = snapshotStore == null || !stateMachine.supportsSnapshots() ? null
                : new Snapshotter(self.toString(), snapshotStore, snapshotPolicy, stateMachine, platform,
                        platform.worker("raft-" + self + "-snapshot-writer"),
                        platform.worker("raft-" + self + "-snapshot-transfers"), loop::execute, this::stop,
                        () -> appliedIndex,
                        (entries, bytes) -> { }); // the log's heap is measured from the node itself
        if (snapshotStore != null && snapshotter == null) {
            LOG.log(Level.WARNING, "{0}: the state machine {1} does not support snapshots: the log is never compacted",
                    self, stateMachine.getClass().getName());
            closeQuietly(snapshotStore);
        }
        this.status = new RaftStatus(self, io.raftkit.core.Role.FOLLOWER, 0, Optional.empty(), 0, 0, 0, cluster,
                0, 0, 0, 0, false, Optional.empty(), 0, logHeapLimit());
    }

    public static RaftServerBuilder builder() {
        return new RaftServerBuilder();
    }

    /** Opens the log store's contents into the node, starts the transport and the loop. */
    public synchronized void start() throws IOException {
        if (running) {
            throw new IllegalStateException("server " + self + " was already started");
        }
        if (failure != null || resourcesClosed) {
            throw new IllegalStateException("server " + self + " has stopped (" + (failure != null ? failure : "closed")
                    + "); a RaftServer starts once: build a new one on the same log store");
        }
        // §7: restart from the newest snapshot and replay only the log after it.
        SnapshotMeta snapshot = snapshotter == null ? null : snapshotter.restoreAtStart(logStore, cluster);
        HardState hardState = logStore.loadHardState(); // kept by a reset at the restore
        if (snapshotter == null && logStore.firstIndex() > 1) {
            throw new IOException(describe(logStore) + " of " + self + " was compacted up to " + (logStore.firstIndex() - 1)
                    + " but this server has no snapshots to restore the state machine from (give it the snapshot store"
                    + " the node ran with); nothing was changed, and the node does not start");
        }
        long first = logStore.firstIndex();
        LogLoader.Loaded loaded = LogLoader.load(self, logStore, maxHeapBytes);
        List<LogEntry> entries = loaded.entries();
        long snapshotIndex = first - 1;
        try {
            node = new RaftNode(self, cluster, config, random, hardState, entries, snapshotIndex, logStore.term(snapshotIndex),
                    snapshot, snapshotter == null ? SnapshotPolicy.DEFAULT.chunkBytes() : snapshotter.policy().chunkBytes());
        } catch (IllegalStateException e) {
            // The store lost entries it had acknowledged (or holds a gap): refuse to start on it.
            throw new IOException(describe(logStore) + " of " + self + " is damaged: " + e.getMessage()
                    + "; nothing was changed, and the node does not start on it", e);
        }
        appliedIndex = snapshot == null ? snapshotIndex : Math.max(snapshotIndex, snapshot.lastIncludedIndex());
        LOG.log(Level.INFO, "{0} starting: term {1}, log {2}..{3}, commit {4}, members {5}",
                self, hardState.term(), first, logStore.lastIndex(), hardState.commitIndex(), cluster.members());
        running = true;
        publishStatus();
        try {
            transport.start(message -> {
                inbox.arrived();
                loop.execute(() -> {
                    inbox.taken();
                    node.step(message);
                });
            });
        } catch (IOException | RuntimeException e) {
            // Nothing runs yet: fail whatever was submitted meanwhile, and say so in the status.
            failure = "could not start the transport: " + e.getMessage();
            running = false;
            publishStatus();
            transport.close(); // it may have started part of itself
            failPending(failure);
            throw e;
        }
        transportPeers.learn(node.cluster()); // members added at run time, from the log or the snapshot
        Platform.Worker storeThread = platform.worker("raft-" + self + "-log-writer");
        writer = new LogWriter(logStore, storeThread,
                batch -> loop.execute(() -> persisted(batch)),
                e -> loop.execute(() -> stop((e instanceof IOException ? "log store I/O failure: " : "log writer failure: ") + e, e)));
        reader = new LogReader(logStore, storeThread, loop::execute,
                e -> loop.execute(() -> stop((e instanceof IOException ? "log store I/O failure: " : "log reader failure: ") + e, e)));
        loop.start();
    }

    /** The store as its own toString names it (a data directory, say), else its class. */
    private static String describe(LogStore store) {
        try {
            boolean named = store.getClass().getMethod("toString").getDeclaringClass() != Object.class;
            return named ? "log store " + store : "log store " + store.getClass().getName();
        } catch (NoSuchMethodException e) {
            return "log store " + store.getClass().getName();
        }
    }


    /** The most of the heap the log may take: the rest of the node needs heap too. */
    private long logHeapLimit() {
        return maxHeapBytes / 5 * 4;
    }

    /** Heap the in-memory log takes, estimated from its entries (loop thread only). */
    private long logHeapBytes() {
        return node == null ? 0 : node.logMemoryBytes() + node.logEntriesInMemory() * LogLoader.ENTRY_OVERHEAD_BEYOND_SIZE;
    }


    public NodeId id() {
        return self;
    }

    /**
     * Completes with {@link StateMachine#apply}'s result once committed and applied here. The command
     * is copied, so the caller may reuse its array at once (the log holds entries in memory and
     * sends them to followers later). The future completes on the node's loop thread: a callback
     * must not block on it, or on another request to this server.
     */
    public CompletableFuture<byte[]> propose(byte[] command) {
        byte[] copy = Objects.requireNonNull(command, "command").clone();
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        submit(future, () -> {
            long logHeapBytes = logHeapBytes();
            if (logHeapBytes + LogLoader.heapCost(copy.length) > logHeapLimit()) {
                future.completeExceptionally(new LogFullException(logHeapBytes, maxHeapBytes));
                return;
            }
            ProposeResult result = node.propose(copy);
            if (result instanceof ProposeResult.Accepted accepted) {
                proposals.accepted(accepted.index(), accepted.term(), future, platform.nanoTime() + requestTimeoutNanos);
            } else if (result instanceof ProposeResult.NotLeader notLeader) {
                future.completeExceptionally(new NotLeaderException(notLeader.leaderHint()));
            } else if (result instanceof ProposeResult.Rejected) {
                future.completeExceptionally(new NotLeaderException(Optional.empty()));
            } else {
                throw new AssertionError("unhandled " + result);
            }
        });
        return future;
    }

    /**
     * A linearizable read (ReadIndex, thesis §6.4); a follower gets the read index from the leader.
     * The query is copied. A query that throws fails this future and nothing else. Completes on the
     * loop thread, like {@link #propose}.
     */
    public CompletableFuture<byte[]> read(byte[] query) {
        byte[] copy = Objects.requireNonNull(query, "query").clone();
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        submit(future, () -> {
            long now = platform.nanoTime();
            node.readIndex(reads.register(copy, future, now, now + requestTimeoutNanos));
        });
        return future;
    }

    /** Reads this node's state as it is: fast, possibly stale. */
    public CompletableFuture<byte[]> readStale(byte[] query) {
        byte[] copy = Objects.requireNonNull(query, "query").clone();
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        submit(future, () -> answer(future, copy));
        return future;
    }

    /**
     * Runs a query for one caller. Queries change no state, so one that throws (a malformed query
     * from a client, say) fails its own request and the node goes on.
     */
    private void answer(CompletableFuture<byte[]> future, byte[] query) {
        byte[] result;
        try {
            result = stateMachine.query(query);
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
            return;
        }
        future.complete(result);
    }

    /** Asks the leader to hand leadership to {@code target} (thesis §3.10); completes once started. */
    public CompletableFuture<Void> transferLeadership(NodeId target) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> {
            if (node.role() != io.raftkit.core.Role.LEADER) {
                future.completeExceptionally(new NotLeaderException(node.leader()));
                return;
            }
            node.transferLeadership(target);
            future.complete(null);
        });
        return future;
    }

    public RaftStatus status() {
        return status;
    }

    /**
     * The leader's matchIndex per member (§5.3; its own durable last index for itself), read on the
     * loop when asked rather than published every turn; empty at a node that does not lead.
     */
    public CompletableFuture<Map<NodeId, Long>> matchIndexes() {
        CompletableFuture<Map<NodeId, Long>> future = new CompletableFuture<>();
        submit(future, () -> future.complete(node.matchIndexes()));
        return future;
    }

    // ---------------------------------------------------------------- membership (thesis §4)

    /**
     * Adds {@code id} as a learner: it receives the log and never votes (a new node started with
     * the members and itself as a learner). {@code address} is handed to the transport (null for a
     * transport that routes by id, like the memory one). Completes with the new configuration once
     * it is committed; fails with {@link MembershipRefusedException} saying why a change was
     * refused, or {@link NotLeaderException}. Completes on the loop thread, like {@link #propose}.
     */
    public CompletableFuture<ClusterConfig> addLearner(NodeId id, String address) {
        return changeMembership(MembershipRequests.addLearner(id, address), id, address);
    }

    /**
     * Makes learner {@code id} a voter, through the joint configuration (thesis §4.3); refused while
     * it has not acknowledged this leader or lags more than {@link RaftConfig#maxPromotionLagEntries}
     * behind. Completes once C(new) is committed.
     */
    public CompletableFuture<ClusterConfig> promote(NodeId id) {
        return changeMembership(MembershipRequests.promote(id), null, null);
    }

    /**
     * Removes voter or learner {@code id} (the leader too: it steps down once C(new) is committed).
     * Completes once C(new) is committed.
     */
    public CompletableFuture<ClusterConfig> remove(NodeId id) {
        return changeMembership(MembershipRequests.remove(id), null, null);
    }

    /**
     * Moves to {@code next} (voters and learners) in one change, through the joint configuration
     * when the voters differ: a replacement of a dead voter by a caught-up learner, say. New members
     * must be reachable by the transport without an address (use {@link #addLearner} for those).
     */
    public CompletableFuture<ClusterConfig> changeMembership(ClusterConfig next) {
        return changeMembership(c -> next, null, null);
    }

    private CompletableFuture<ClusterConfig> changeMembership(java.util.function.UnaryOperator<ClusterConfig> change,
                                                             NodeId newMember, String address) {
        CompletableFuture<ClusterConfig> future = new CompletableFuture<>();
        submit(future, () -> membership.start(node, change, newMember, address, future,
                platform.nanoTime() + requestTimeoutNanos));
        return future;
    }

    /**
     * Takes a snapshot of the state as applied now and compacts the log behind it, as the policy
     * would (an operator's "snapshot now"). Completes with the snapshot once it is durable, with the
     * one being written if a snapshot is under way, or with the newest one if nothing was applied
     * since; fails with {@link IllegalStateException} when
     * this server takes no snapshots (no SnapshotStore, or a state machine that does not support
     * them). Completes on the loop thread, like {@link #propose}.
     */
    public CompletableFuture<SnapshotMeta> takeSnapshot() {
        CompletableFuture<SnapshotMeta> future = new CompletableFuture<>();
        if (snapshotter == null) {
            future.completeExceptionally(new IllegalStateException("server " + self + " takes no snapshots: it has no"
                    + " snapshot store, or its state machine does not support snapshots"));
            return future;
        }
        submit(future, () -> snapshotter.takeNow(node, appliedIndex, writer, future));
        return future;
    }

    /** What this server did with snapshots, as its loop last published it. */
    public SnapshotStats snapshotStats() {
        return snapshotStats;
    }

    private void submit(CompletableFuture<?> future, Runnable action) {
        if (!running) {
            future.completeExceptionally(new NodeStoppedException(failure != null ? failure : "not running", true));
            return;
        }
        loop.execute(action);
        if (!running) {
            failPending(failure != null ? failure : "closed"); // lost the race with close or a failure
        }
    }

    // ---------------------------------------------------------------- the loop

    private void onTick() {
        node.tick();
        expireRequests(platform.nanoTime());
    }

    private void onTurnEnded() {
        while (running && node.hasReady()) {
            handleReady(node.ready());
        }
        membership.check(node, platform.nanoTime(), TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos));
        probe.turnEnded(node);
        publishStatus();
    }

    private void onLoopFailure(Throwable e) {
        if (e instanceof ApplyFailure) {
            stop(e.getMessage(), e.getCause());
        } else {
            stop("internal failure: " + e, e);
        }
    }

    private void handleReady(Ready ready) {
        probe.readyTaken(node, ready);
        for (LogEntry entry : ready.entries()) {
            if (entry.kind() == EntryKind.CONFIGURATION) {
                transportPeers.learn(ClusterConfig.decode(entry.payload())); // before the messages to new members leave
            }
        }
        if (ready.installedSnapshot() != null) {
            transportPeers.committed(ready.installedSnapshot().config());
        }
        send(ready.messagesBeforePersist());
        if (!ready.logReads().isEmpty()) {
            reader.submit(ready.logReads(), node);
        }
        // A Ready with nothing to write still queues behind writes in flight: its messages may
        // promise entries those writes hold (a follower's reply counts everything it was sent).
        boolean write = writesInFlight > 0 || !ready.entries().isEmpty() || ready.hardState() != null
                || ready.installedSnapshot() != null;
        if (write) {
            writesInFlight++;
            writer.submit(ready);
        } else {
            send(ready.messages());
        }
        if (snapshotter != null) {
            snapshotter.send(ready.snapshotChunks(), node, transport::send);
            snapshotter.receive(ready.snapshotChunksReceived(), node);
            if (ready.installedSnapshot() != null && !Mutant.isActive(Mutant.INSTALL_SKIPS_RESTORE)) {
                restoreInstalled(ready.installedSnapshot());
            }
        }
        for (LogEntry entry : ready.committedEntries()) {
            if (entry.kind() == EntryKind.CONFIGURATION) {
                transportPeers.committed(ClusterConfig.decode(entry.payload()));
            }
            apply(entry);
            if (snapshotter != null) {
                snapshotter.applied(entry.payload().length);
                snapshotter.maybeTake(node, appliedIndex, writer); // between two applies
            }
        }
        reads.confirmed(ready.readStates(), platform.nanoTime());
        reads.failed(ready.readFailures());
        reads.serve(appliedIndex, this::answer);
        if (!write) {
            node.advance(ready);
        }
    }

    /** The writer made {@code batch} durable: its messages may leave now, and the node learns it. */
    private void persisted(List<Ready> batch) {
        for (Ready ready : batch) {
            writesInFlight--;
            send(ready.messages());
            node.advance(ready);
        }
    }

    private void send(List<RaftMessage> messages) {
        for (RaftMessage m : messages) {
            transport.send(m);
        }
    }

    /** The state machine threw in apply: the node must stop, and the log must say whose fault it was. */
    private static final class ApplyFailure extends RuntimeException {
        ApplyFailure(long index, RuntimeException cause) {
            super("the state machine threw in apply at index " + index + ": " + cause, cause);
        }
    }

    private void apply(LogEntry entry) {
        byte[] result;
        try {
            result = entry.kind() == EntryKind.COMMAND ? stateMachine.apply(entry.index(), entry.payload()) : null;
        } catch (RuntimeException e) {
            // Every replica applies the same entry and would throw alike: stopping keeps them equal.
            throw new ApplyFailure(entry.index(), e);
        }
        appliedIndex = entry.index();
        proposals.applied(entry, result);
    }

    /** A follower installed a snapshot that replaces its log: the state machine takes its state. */
    private void restoreInstalled(SnapshotMeta meta) {
        try {
            snapshotter.restore(meta);
        } catch (IOException e) {
            // The state machine is undefined now (StateMachine#restoreSnapshot): stop, loudly.
            throw new ApplyFailure(meta.lastIncludedIndex(), new java.io.UncheckedIOException(
                    "restoring installed snapshot " + meta.id() + " failed", e));
        }
        appliedIndex = meta.lastIncludedIndex();
        // Proposals this node made as an earlier leader at or below the snapshot may be in it or may
        // have been overwritten: their outcome is unknown here, so they are left to time out (a
        // RequestTimeoutException says "maybe applied"). Calling them dropped was wrong: the
        // simulator's seed 1228 saw one applied everywhere after its client was told it was not.
    }

    private static void closeQuietly(SnapshotStore store) {
        try {
            store.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing an unused snapshot store failed", e);
        }
    }

    private void expireRequests(long now) {
        proposals.expire(now, () -> new RequestTimeoutException("proposal", TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos)));
        reads.expire(now, () -> new RequestTimeoutException("read", TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos)));
    }

    /** The last published status, marked stopped with the failure: safe from any thread (it reads no node state). */
    private void publishStopped() {
        RaftStatus s = status;
        if (s.running() != running || !s.failure().equals(Optional.ofNullable(failure))) {
            status = new RaftStatus(s.id(), s.role(), s.term(), s.leader(), s.commitIndex(), s.appliedIndex(),
                    s.lastLogIndex(), s.members(), s.proposals(), s.reads(), s.readsConfirmed(), s.readConfirmNanos(),
                    running, Optional.ofNullable(failure), s.logHeapBytes(), s.logHeapLimitBytes());
        }
    }

    private void publishStatus() {
        RaftNode n = node;
        RaftStatus before = status;
        if (before.role() != n.role() || before.term() != n.term() || !before.leader().equals(n.leader())) {
            // Role changes are rare and are what an operator looks for first in a log.
            LOG.log(Level.INFO, "{0} is {1} in term {2}, leader {3}", self, n.role(), Long.toString(n.term()),
                    n.leader().map(Object::toString).orElse("unknown"));
        }
        status = new RaftStatus(self, n.role(), n.term(), n.leader(), n.commitIndex(), appliedIndex, n.lastIndex(),
                n.cluster(), proposals.accepted(), reads.registered(), reads.confirmed(), reads.confirmNanos(), running, Optional.ofNullable(failure),
                logHeapBytes(), logHeapLimit());
        if (snapshotter != null) {
            snapshotStats = snapshotter.stats(true, n.snapshotInstallsSent(), n.firstIndex());
        }
    }

    // ---------------------------------------------------------------- stopping

    private void stop(String why, Throwable cause) {
        failure = why;
        running = false;
        loop.stop();
        LOG.log(Level.ERROR, "raft node " + self + " stopped: " + why + ". It accepts no requests until it is restarted"
                + " (a state machine that threw in apply will throw again on the same entry after a restart: fix it first).", cause);
        publishStatus(); // before failing futures: a caller that sees the failure also sees the status
        transport.close();
        failPending(why);
    }

    private synchronized void failPending(String why) {
        // A caller that sees its request fail must also see the node stopped, whichever thread
        // (the stopping loop, or a caller that lost the race with it) gets here first.
        publishStopped();
        // Requests still queued never reached the node: run them now (the loop is gone) so their
        // futures are registered, then fail everything.
        for (Runnable queued : loop.drain()) {
            try {
                queued.run();
            } catch (RuntimeException ignored) {
                // the node may be in the state that stopped it; the futures are failed below
            }
        }
        proposals.failAll(() -> new NodeStoppedException(why));
        membership.failAll(new NodeStoppedException(why));
        reads.failAll(() -> new NodeStoppedException(why));
    }

    /** Stops the loop and closes the transport, the log store and the state machine. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (!running && !loop.isAlive()) {
                closeResources();
                return;
            }
            running = false;
        }
        loop.stop();
        if (node != null) {
            publishStatus(); // the loop is gone: say so from here
        }
        transport.close();
        if (failure == null) {
            failPending("closed");
        }
        closeResources();
        LOG.log(Level.INFO, "{0} closed", self);
    }

    private boolean resourcesClosed;

    private synchronized void closeResources() {
        if (resourcesClosed) {
            return;
        }
        resourcesClosed = true;
        if (reader != null) {
            reader.close();
        }
        if (writer != null) {
            writer.close(); // before the store closes under it
        }
        if (snapshotter != null) {
            snapshotter.close();
        }
        try {
            logStore.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the log store of " + self + " failed", e);
        }
        stateMachine.close();
    }
}
