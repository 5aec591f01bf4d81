package io.raftkit.core.fault;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A durable {@link LogStore} with a power switch: it knows which of its writes are synced, and
 * {@link #crash()} puts the inner store back to exactly those, as an operating-system crash or a
 * power loss drops what was written but not yet fsynced. lazyfs does this below a file system with
 * FUSE; here it is one level up, at the LogStore SPI, so it needs no kernel module and runs in a
 * container as well as on the host.
 *
 * <p>What "written but not synced" means for a store whose {@code append} is synchronous: the
 * contract says an entry is durable when {@code append} returns. An honest store therefore has no
 * unsynced data at rest: a write is synced when its call returns, the crash discards nothing, and
 * the crash is a {@code kill -9}. The bug this wrapper exists to catch is a store that returns
 * before the data is durable. Mode {@code ack-before-sync} plants exactly that: a call returns as
 * soon as the inner store holds the data (the page cache, which survives {@code kill -9}), and the
 * data counts as synced only at the next sync, every {@code sync-interval-ms} from the store's
 * opening (a store that leaves durability to the kernel's writeback, or that fsyncs from a
 * background timer). A crash then loses every acknowledged entry and vote since the last sync;
 * {@code kill -9} alone loses nothing, which is why that bug is invisible without this wrapper.
 *
 * <p>How a crash undoes unsynced writes without a truncate in the SPI: entries an unsynced append
 * overwrote are kept (the undo log) and appended back, which discards the inner store's newer
 * suffix (§5.3 append semantics); a suffix appended past the synced end is cut off by a marker file
 * ({@value #MARKER}, written durably in the data directory), which makes the store report the synced
 * end as its last index until the next append there overwrites the rest; and the last synced hard
 * state is saved again. The marker is needed because no append can empty a log.
 *
 * <p>Thread-safe: the driver's calls, the sync thread and the crash command are serialized by this
 * object's lock, so a crash never lands in the middle of a write.
 */
public final class FaultInjectingLogStore implements LogStore {

    /** The file that records the synced end of the log after a crash, until an append passes it. */
    static final String MARKER = "fault-injecting-log-store.synced-end";

    private final LogStore inner;
    private final Path marker;
    private final boolean ackBeforeSync;
    /** Shared with the node's other fault-injecting stores: the crash cuts their writes too. */
    private final PowerSupply power;

    /** The last index the inner store reports as in the log after a crash; Long.MAX_VALUE when none. */
    private long validThrough = Long.MAX_VALUE;
    private long syncedLastIndex;
    private HardState syncedHardState;
    private HardState currentHardState;
    /** Synced entries that unsynced appends overwrote, from the lowest such index to syncedLastIndex. */
    private final TreeMap<Long, LogEntry> undo = new TreeMap<>();
    private long unsyncedWrites;
    private boolean crashed;
    private final ScheduledExecutorService syncer;
    private AutoCloseable admin;

    /**
     * @param inner              the real store, which this wrapper owns and closes
     * @param dataDir            where the marker file goes (the inner store's directory is fine: it ignores it)
     * @param ackBeforeSync      the planted bug: return before the data counts as synced
     * @param syncIntervalMillis with {@code ackBeforeSync}, how often the deferred sync runs; 0 for never
     *                           (tests call {@link #sync()})
     */
    public FaultInjectingLogStore(LogStore inner, Path dataDir, boolean ackBeforeSync, long syncIntervalMillis)
            throws IOException {
        this.inner = inner;
        this.marker = dataDir.resolve(MARKER);
        this.ackBeforeSync = ackBeforeSync;
        this.power = PowerSupply.of(dataDir);
        if (Files.exists(marker)) {
            long end = Long.parseLong(Files.readString(marker, StandardCharsets.UTF_8).trim());
            if (inner.lastIndex() > end) {
                validThrough = end;
            } else {
                Files.delete(marker);
            }
        }
        this.syncedLastIndex = lastIndex();
        this.currentHardState = inner.loadHardState();
        this.syncedHardState = currentHardState;
        if (ackBeforeSync && syncIntervalMillis > 0) {
            syncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "raft-fault-log-sync");
                t.setDaemon(true);
                return t;
            });
            syncer.scheduleAtFixedRate(this::sync, syncIntervalMillis, syncIntervalMillis, TimeUnit.MILLISECONDS);
        } else {
            syncer = null;
        }
    }

    /** The admin endpoint to close with the store. */
    synchronized void attach(AutoCloseable adminServer) {
        this.admin = adminServer;
    }

    @Override
    public synchronized void append(List<LogEntry> entries) throws IOException {
        refuseAfterCrash();
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).index();
        if (ackBeforeSync && first <= syncedLastIndex) {
            // Keep what the synced log held at the indexes this write replaces, for a crash to restore.
            long to = undo.isEmpty() ? syncedLastIndex : undo.firstKey() - 1;
            if (first <= to) {
                for (LogEntry e : inner.entries(first, to, Long.MAX_VALUE)) {
                    undo.put(e.index(), e);
                }
            }
        }
        inner.append(entries);
        if (validThrough != Long.MAX_VALUE) {
            // This append started at or below the synced end, so the inner store has cut the rest.
            validThrough = Long.MAX_VALUE;
            Files.deleteIfExists(marker);
        }
        if (ackBeforeSync) {
            unsyncedWrites++;
        } else {
            syncedLastIndex = inner.lastIndex(); // returned, so synced
        }
    }

    @Override
    public synchronized List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) throws IOException {
        return inner.entries(fromIndex, Math.min(toIndex, lastIndex()), maxBytes);
    }

    @Override
    public synchronized long term(long index) throws IOException {
        return inner.term(index);
    }

    @Override
    public synchronized long firstIndex() {
        return inner.firstIndex();
    }

    @Override
    public synchronized long lastIndex() {
        return Math.min(inner.lastIndex(), validThrough);
    }

    @Override
    public synchronized void saveHardState(HardState state) throws IOException {
        refuseAfterCrash();
        inner.saveHardState(state);
        currentHardState = state;
        if (ackBeforeSync) {
            unsyncedWrites++;
        } else {
            syncedHardState = state;
        }
    }

    @Override
    public synchronized HardState loadHardState() throws IOException {
        return inner.loadHardState();
    }

    @Override
    public synchronized void compact(long index) throws IOException {
        refuseAfterCrash();
        inner.compact(index);
    }

    /**
     * Passes the reset on and counts it synced at once, in either mode: the planted bug defers the
     * syncs of appends and hard states, which is what the verifier must catch; a deferred reset would
     * need an undo of a whole log, and an empty marker of what to restore.
     */
    @Override
    public synchronized void reset(long index, long term) throws IOException {
        refuseAfterCrash();
        inner.reset(index, term);
        validThrough = Long.MAX_VALUE;
        Files.deleteIfExists(marker);
        undo.clear();
        syncedLastIndex = inner.lastIndex();
    }

    /** The fsync that {@code ack-before-sync} defers: everything written so far now survives a crash. */
    public synchronized void sync() {
        if (crashed) {
            return;
        }
        syncedLastIndex = lastIndex();
        syncedHardState = currentHardState;
        undo.clear();
        unsyncedWrites = 0;
    }

    /**
     * Puts the store back to what was synced, durably, and refuses every later write: what a power
     * loss leaves on disk. The caller then ends the process. Returns what was dropped, for the log.
     */
    public synchronized String crash() throws IOException {
        if (crashed) {
            return "already crashed";
        }
        crashed = true;
        // First the other writers of this node (a snapshot being committed finishes first, or never):
        // nothing may become durable after the instant whose synced state this method restores.
        power.cut();
        long lastBefore = lastIndex();
        if (unsyncedWrites == 0) {
            return "nothing unsynced: the store holds exactly what it acknowledged (last index " + lastBefore + ")";
        }
        if (!undo.isEmpty()) {
            inner.append(new ArrayList<>(undo.values())); // discards the unsynced suffix from the first overwritten index
        }
        if (inner.lastIndex() > syncedLastIndex) {
            writeMarker(syncedLastIndex);
            validThrough = syncedLastIndex;
        }
        inner.saveHardState(syncedHardState);
        return "dropped " + unsyncedWrites + " unsynced writes: last index " + lastBefore + " -> " + syncedLastIndex
                + ", hard state " + currentHardState + " -> " + syncedHardState;
    }

    /** What is synced and what is not, for the admin endpoint. */
    public synchronized String describe() {
        return "mode=" + (ackBeforeSync ? "ack-before-sync" : "sync-on-return") + " lastIndex=" + lastIndex()
                + " syncedLastIndex=" + syncedLastIndex + " unsyncedWrites=" + unsyncedWrites + " crashed=" + crashed;
    }

    private void writeMarker(long end) throws IOException {
        Path tmp = marker.resolveSibling(MARKER + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(Long.toString(end).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(marker.getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself must survive
        }
    }

    private void refuseAfterCrash() throws IOException {
        if (crashed) {
            throw new IOException("the fault-injecting log store has crashed (a simulated power loss); the process must end");
        }
    }

    @Override
    public void close() throws IOException {
        if (syncer != null) {
            syncer.shutdownNow();
        }
        AutoCloseable a;
        synchronized (this) {
            a = admin;
        }
        if (a != null) {
            try {
                a.close();
            } catch (Exception e) {
                // the admin endpoint is loopback-only test machinery: closing the store matters more
            }
        }
        synchronized (this) {
            inner.close();
        }
    }
}
