package io.raftkit.core.server;

import io.raftkit.api.HardState;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.RaftNode;
import io.raftkit.core.Role;
import io.raftkit.core.SnapshotChunk;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The driver's side of snapshots (§7): takes them by the {@link SnapshotPolicy} (the state machine's
 * view captured on the loop, written into the {@link SnapshotStore} on a worker of its own), compacts
 * the log behind them, reads a leader's chunks from the store and writes a follower's into it, and
 * restores the state machine at start and after an install. The node decides; this does the I/O.
 *
 * <p>Threads: the methods run on the loop, except what they hand to the two workers (one writes the
 * snapshots this node takes, the other reads and writes transfers, so a long save never holds up a
 * follower's catch-up), which post their results back to the loop. An {@link IOException} of the store other than
 * {@link InvalidSnapshotException} is a disk failure and stops the node, as for the LogStore.
 */
final class Snapshotter {

    private static final System.Logger LOG = System.getLogger(Snapshotter.class.getName());

    private final String self;
    private final SnapshotStore store;
    private final SnapshotPolicy policy;
    private final StateMachine stateMachine;
    private final Platform platform;
    private final Platform.Worker worker;
    private final Platform.Worker transfers;
    private final Executor loop;
    private final BiConsumer<String, Throwable> fatal;
    private final java.util.function.LongSupplier appliedIndex;
    /** Told how many entries, and payload bytes, left the heap. */
    private final BiConsumer<Long, Long> compacted;

    // loop thread
    private long entriesSince;
    private long bytesSince;
    private boolean inProgress;
    private final List<CompletableFuture<SnapshotMeta>> waiting = new ArrayList<>();
    private long latestIndex;
    private long latestTerm;
    private long latestSize;
    private long lastDurationMillis;
    private long taken;
    private long installsReceived;

    // transfer worker thread
    private record OpenStream(String id, InputStream in, long position) {
    }

    private final TreeMap<String, OpenStream> streams = new TreeMap<>();
    private SnapshotStore.SnapshotReceiver receiver;

    Snapshotter(String self, SnapshotStore store, SnapshotPolicy policy, StateMachine stateMachine, Platform platform,
                Platform.Worker worker, Platform.Worker transfers, Executor loop, BiConsumer<String, Throwable> fatal,
                java.util.function.LongSupplier appliedIndex, BiConsumer<Long, Long> compacted) {
        this.appliedIndex = appliedIndex;
        this.compacted = compacted;
        this.self = self;
        this.store = store;
        this.policy = policy;
        this.stateMachine = stateMachine;
        this.platform = platform;
        this.worker = worker;
        this.transfers = transfers;
        this.loop = loop;
        this.fatal = fatal;
    }

    SnapshotPolicy policy() {
        return policy;
    }

    // ---------------------------------------------------------------- start (restart)

    /**
     * Restores the state machine from the newest snapshot the log can go on from (§7: restart loads
     * the snapshot and replays only the log after it), and resets the log to the snapshot where it
     * does not hold the snapshot's last entry (a crash between an install and the log's reset).
     * Returns the snapshot, or null when the state machine starts empty. The snapshot's
     * configuration rules over the members the server was given; a difference is logged.
     *
     * <p>The newest snapshot is restored before the log is asked anything: compaction never passes
     * the snapshot before the newest, so the newest is always one the log can go on from, and a
     * server that opens its log store beside the restore (the log's scan of a long tail takes as
     * long as a large restore's first half) has both done at the cost of the longer. Older
     * snapshots, tried when the newest is damaged, are checked against the log first, as before.
     *
     * @throws IOException naming the problem when the log was compacted past every usable snapshot
     */
    SnapshotMeta restoreAtStart(LogStore log, io.raftkit.api.ClusterConfig members) throws IOException {
        Long compacted = null; // asked of the log once the newest snapshot is restored or damaged
        List<String> damaged = new ArrayList<>();
        for (SnapshotMeta meta : store.list()) {
            if (compacted != null && meta.lastIncludedIndex() < compacted) {
                break; // older ones do not reach the log either
            }
            try (SnapshotReader reader = store.read(meta.id())) {
                stateMachine.restoreSnapshot(reader);
            } catch (InvalidSnapshotException e) {
                LOG.log(Level.WARNING, "{0}: snapshot {1} is damaged ({2}); trying the one before it", self, meta.id(),
                        e.getMessage());
                damaged.add(meta.id() + " (" + e.getMessage() + ")");
                if (compacted == null) {
                    log.loadHardState(); // a log store that failed to open says so here, as itself
                    compacted = log.firstIndex() - 1;
                }
                continue;
            }
            HardState hardState = log.loadHardState(); // the first question to the log: see above
            if (compacted == null) {
                compacted = log.firstIndex() - 1;
                if (meta.lastIncludedIndex() < compacted) {
                    break; // cannot happen on a sound store (see above); refused below as any such log is
                }
            }
            long index = meta.lastIncludedIndex();
            boolean matches = log.lastIndex() >= index && log.term(index) == meta.lastIncludedTerm();
            if (!matches && !io.raftkit.core.Mutant.isActive(io.raftkit.core.Mutant.RESTART_SKIPS_LOG_RESET)) {
                if (hardState.commitIndex() > index) {
                    throw new IOException("the log of " + self + " holds commit index " + hardState.commitIndex()
                            + " but does not hold snapshot " + meta.id() + "'s last entry " + index + "@"
                            + meta.lastIncludedTerm() + ": the log and the snapshots disagree; nothing was changed");
                }
                log.reset(index, meta.lastIncludedTerm()); // the install's reset did not happen before a crash
            }
            if (!meta.config().equals(members)) {
                // Membership changes at run time: the snapshot's configuration (and any newer one in
                // the log after it) rules over the members the server was started with (thesis §4.1).
                LOG.log(Level.INFO, "{0}: snapshot {1} carries members {2}; the server was started with {3}",
                        self, meta.id(), meta.config(), members);
            }
            published(meta);
            return meta;
        }
        if (compacted == null) {
            log.loadHardState();
            compacted = log.firstIndex() - 1;
        }
        if (compacted > 0) {
            throw new IOException("the log of " + self + " was compacted up to index " + compacted + " but no valid"
                    + " snapshot reaches there (snapshots: " + store.list() + ", damaged: " + damaged + "); the state"
                    + " machine cannot be rebuilt; nothing was changed, and the node does not start");
        }
        if (!damaged.isEmpty()) {
            // A restore that failed half-way left the state machine undefined (StateMachine#restoreSnapshot).
            throw new IOException("every snapshot of " + self + " is damaged: " + damaged + "; the state machine was"
                    + " partly restored, so the node does not start (remove the damaged snapshots to replay the whole"
                    + " log); nothing was changed");
        }
        return null;
    }

    // ---------------------------------------------------------------- taking snapshots

    /** One entry was applied: count it toward the policy. */
    void applied(long payloadBytes) {
        entriesSince++;
        bytesSince += payloadBytes;
    }

    /** Between two applies: take a snapshot if the policy says so. */
    void maybeTake(RaftNode node, long appliedIndex, LogWriter writer) {
        if (!inProgress && policy.due(entriesSince, bytesSince, latestSize)) {
            take(node, appliedIndex, writer);
        }
    }

    /** An operator asks for a snapshot now; completes with it once durable (with the newest one if nothing was applied since). */
    void takeNow(RaftNode node, long appliedIndex, LogWriter writer, CompletableFuture<SnapshotMeta> future) {
        if (appliedIndex == 0) {
            future.completeExceptionally(new IllegalStateException("nothing applied yet: there is no state to snapshot"));
            return;
        }
        if (!inProgress && appliedIndex <= latestIndex) {
            future.complete(node.latestSnapshot().orElseThrow());
            return;
        }
        waiting.add(future);
        if (!inProgress) {
            take(node, appliedIndex, writer);
        }
    }

    private void take(RaftNode node, long index, LogWriter writer) {
        long term = node.termAt(index);
        if (index <= latestIndex || term <= 0) {
            entriesSince = 0;
            bytesSince = 0;
            return;
        }
        // Phase one on the loop, between two applies: cheap by the StateMachine contract.
        StateMachineSnapshot view = stateMachine.captureSnapshot();
        inProgress = true;
        entriesSince = 0;
        bytesSince = 0;
        long started = platform.nanoTime();
        // The configuration as of the snapshot's last entry, not the node's newest: a change
        // appended after it is not in the snapshot's prefix of the log (thesis §5.1).
        io.raftkit.api.ClusterConfig config = node.configurationAt(index);
        worker.execute(() -> {
            SnapshotMeta meta;
            long previous = 0;
            try (view; SnapshotStore.SnapshotBuilder builder = store.create(index, term, config, view.kind())) {
                try {
                    view.writeTo(builder);
                } catch (IOException | RuntimeException e) {
                    // The state machine's failure fails this snapshot only (StateMachineSnapshot#writeTo).
                    loop.execute(() -> failed(e));
                    return;
                }
                meta = builder.commit();
                // The snapshot a store would fall back to (listing may touch the disk: not on the loop).
                for (SnapshotMeta m : store.list()) {
                    if (m.lastIncludedIndex() < index) {
                        previous = m.lastIncludedIndex();
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                loop.execute(() -> fatal.accept("snapshot store failure while saving a snapshot at " + index + ": " + e, e));
                return;
            }
            long fallback = previous;
            loop.execute(() -> saved(node, meta, fallback, started, writer));
        });
    }

    private void failed(Throwable e) {
        inProgress = false;
        LOG.log(Level.WARNING, self + ": the state machine failed to write a snapshot; the log is not compacted", e);
        for (CompletableFuture<SnapshotMeta> f : waiting) {
            f.completeExceptionally(e);
        }
        waiting.clear();
    }

    /**
     * The snapshot is durable: followers get it from now on, and the log is compacted up to it less
     * the kept tail, but never past the snapshot before it: a store that finds the newest damaged at
     * the next start falls back to that one, and the log must then hold everything after it.
     */
    private void saved(RaftNode node, SnapshotMeta meta, long previous, long startedNanos, LogWriter writer) {
        inProgress = false;
        taken++;
        lastDurationMillis = TimeUnit.NANOSECONDS.toMillis(platform.nanoTime() - startedNanos);
        published(meta);
        node.snapshotTaken(meta);
        for (CompletableFuture<SnapshotMeta> f : waiting) {
            f.complete(meta);
        }
        waiting.clear();
        long target = Math.min(meta.lastIncludedIndex() - policy.keptEntries(), previous);
        compact(node, target, writer);
        // Applies went on while this one was written: they may call for the next one already.
        maybeTake(node, appliedIndex.getAsLong(), writer);
    }

    private void compact(RaftNode node, long target, LogWriter writer) {
        if (target < node.firstIndex()) {
            return;
        }
        long before = node.firstIndex();
        long bytes = node.compact(target);
        long done = node.firstIndex() - 1; // the node bounds it by its durable log
        compacted.accept(done + 1 - before, bytes);
        if (done > 0) {
            writer.compact(done);
        }
    }

    private void published(SnapshotMeta meta) {
        if (meta.lastIncludedIndex() > latestIndex) {
            latestIndex = meta.lastIncludedIndex();
            latestTerm = meta.lastIncludedTerm();
            latestSize = meta.sizeBytes();
        }
    }

    SnapshotStats stats(boolean enabled, long installsSent, long logFirstIndex) {
        return new SnapshotStats(enabled, latestIndex, latestTerm, latestSize, lastDurationMillis, taken, installsSent,
                installsReceived, logFirstIndex);
    }

    // ---------------------------------------------------------------- leader: sending chunks

    /** Reads each chunk from the store on the transfer worker and sends it from the loop, if the term has not moved on. */
    void send(List<SnapshotChunk> chunks, RaftNode node, java.util.function.Consumer<InstallSnapshot> transport) {
        for (SnapshotChunk chunk : chunks) {
            transfers.execute(() -> {
                byte[] data;
                try {
                    data = read(chunk);
                } catch (NoSuchElementException | InvalidSnapshotException e) {
                    // Deleted by the store's retention, or damaged: the node starts over with its newest.
                    loop.execute(() -> node.snapshotUnreadable(chunk.to(), chunk.snapshot().id()));
                    return;
                } catch (IOException | RuntimeException e) {
                    loop.execute(() -> fatal.accept("snapshot store failure while reading snapshot "
                            + chunk.snapshot().id() + ": " + e, e));
                    return;
                }
                InstallSnapshot m = new InstallSnapshot(node.id(), chunk.to(), chunk.term(), chunk.snapshot(),
                        chunk.offset(), data, chunk.done());
                loop.execute(() -> {
                    if (node.term() == chunk.term() && node.role() == Role.LEADER) {
                        transport.accept(m); // a term change cancels the transfer
                    }
                });
            });
        }
    }

    /** Transfer worker thread. The stream only goes forward: a chunk behind the position reopens it. */
    private byte[] read(SnapshotChunk chunk) throws IOException {
        String key = chunk.to().value();
        OpenStream open = streams.get(key);
        if (open == null || !open.id().equals(chunk.snapshot().id()) || open.position() > chunk.offset()) {
            if (open != null) {
                open.in().close();
            }
            open = new OpenStream(chunk.snapshot().id(), store.openStream(chunk.snapshot().id()), 0);
        }
        InputStream in = open.in();
        in.skipNBytes(chunk.offset() - open.position());
        // Into one array of the chunk's size: readNBytes(int) reads through 8 KiB buffers and copies them
        // together, a second allocation and copy of every byte sent.
        byte[] data = new byte[chunk.length()];
        int read = in.readNBytes(data, 0, data.length);
        if (read != chunk.length()) {
            in.close();
            streams.remove(key);
            throw new InvalidSnapshotException("snapshot " + chunk.snapshot().id() + " ends at " + (chunk.offset() + read)
                    + ", before its stated size " + chunk.snapshot().sizeBytes());
        }
        streams.put(key, new OpenStream(open.id(), in, chunk.offset() + data.length));
        return data;
    }

    // ---------------------------------------------------------------- follower: receiving chunks

    /** Writes each accepted chunk on the transfer worker, in order; installs after the last one. */
    void receive(List<InstallSnapshot> chunks, RaftNode node) {
        for (InstallSnapshot chunk : chunks) {
            transfers.execute(() -> {
                try {
                    write(chunk, node);
                } catch (IOException | RuntimeException e) {
                    loop.execute(() -> fatal.accept("snapshot store failure while receiving snapshot "
                            + chunk.snapshot().id() + ": " + e, e));
                }
            });
        }
    }

    /** Transfer worker thread. */
    private void write(InstallSnapshot chunk, RaftNode node) throws IOException {
        String id = chunk.snapshot().id();
        if (receiver == null || !receiver.meta().id().equals(id)) {
            if (chunk.offset() != 0) {
                // Another transfer's chunk, or this one's after a crash: start from the first byte.
                loop.execute(() -> node.snapshotChunkWritten(chunk, 0));
                return;
            }
            if (receiver != null) {
                receiver.close();
            }
            receiver = store.receive(chunk.snapshot());
        }
        receiver.write(chunk.offset(), chunk.data());
        long next = receiver.nextOffset();
        if (next < chunk.snapshot().sizeBytes()) {
            loop.execute(() -> node.snapshotChunkWritten(chunk, next));
            return;
        }
        SnapshotStore.SnapshotReceiver done = receiver;
        receiver = null;
        SnapshotMeta meta;
        try {
            meta = done.install(); // verifies the checksum; durable when it returns
        } catch (InvalidSnapshotException e) {
            LOG.log(Level.WARNING, "{0}: discarded snapshot {1} from {2}: {3}", self, id, chunk.from(), e.getMessage());
            done.close();
            loop.execute(() -> node.snapshotChunkWritten(chunk, 0));
            return;
        }
        loop.execute(() -> {
            installsReceived++;
            published(meta);
            node.snapshotInstalled(chunk, meta);
        });
    }

    /** On the loop, after the Ready that carries it: the state machine takes the installed snapshot's state. */
    void restore(SnapshotMeta meta) throws IOException {
        try (SnapshotReader reader = store.read(meta.id())) {
            stateMachine.restoreSnapshot(reader);
        }
    }

    void close() {
        worker.close();
        transfers.close();
        for (OpenStream s : streams.values()) {
            try {
                s.in().close();
            } catch (IOException ignored) {
                // closing a read-only stream: nothing to lose
            }
        }
        try {
            store.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the snapshot store of " + self + " failed", e);
        }
    }
}
