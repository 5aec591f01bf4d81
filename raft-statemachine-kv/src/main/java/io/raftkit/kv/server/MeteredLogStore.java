package io.raftkit.kv.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * Storage counters for /metrics around whichever log store plugin is configured: appends,
 * entries and bytes written, and the latency of each durable append and hard-state save (on a
 * durable store, the fsync cost that bounds write throughput). Adds nothing to the store's
 * semantics; every call goes straight through on the driver thread.
 *
 * <p>Made from a store still {@link StartStep opening}, it waits for it on first use: the Raft
 * server restores the newest snapshot before it asks the log anything, so a restart's restore and
 * its log scan run side by side. A store that failed to open throws its failure from that use.
 */
final class MeteredLogStore implements LogStore {

    private final StartStep<LogStore> opening;
    private volatile LogStore store; // the opened store, once asked for
    private final Counter entries;
    private final Counter bytes;
    private final Timer appendTimer;
    private final Timer hardStateTimer;

    MeteredLogStore(StartStep<LogStore> opening, MeterRegistry registry, String plugin, String node) {
        this.opening = opening;
        this.entries = Counter.builder("raftkit_storage_entries").tag("plugin", plugin).tag("node", node)
                .description("log entries appended").register(registry);
        this.bytes = Counter.builder("raftkit_storage_bytes").tag("plugin", plugin).tag("node", node)
                .description("log entry bytes appended").register(registry);
        this.appendTimer = Timer.builder("raftkit_storage_append").tag("plugin", plugin).tag("node", node)
                .description("durable append of one batch").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.hardStateTimer = Timer.builder("raftkit_storage_hard_state_save").tag("plugin", plugin).tag("node", node)
                .description("durable save of term, vote and commit").register(registry);
    }

    @Override
    public void append(List<LogEntry> batch) throws IOException {
        long start = System.nanoTime();
        store().append(batch);
        appendTimer.record(Duration.ofNanos(System.nanoTime() - start));
        entries.increment(batch.size());
        long size = 0;
        for (LogEntry e : batch) {
            size += e.sizeInBytes();
        }
        bytes.increment(size);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) throws IOException {
        return store().entries(fromIndex, toIndex, maxBytes);
    }

    @Override
    public long term(long index) throws IOException {
        return store().term(index);
    }

    @Override
    public long firstIndex() {
        return opened().firstIndex();
    }

    @Override
    public long lastIndex() {
        return opened().lastIndex();
    }

    @Override
    public void saveHardState(HardState state) throws IOException {
        long start = System.nanoTime();
        store().saveHardState(state);
        hardStateTimer.record(Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public HardState loadHardState() throws IOException {
        return store().loadHardState();
    }

    @Override
    public void compact(long index) throws IOException {
        store().compact(index);
    }

    @Override
    public void reset(long index, long term) throws IOException {
        store().reset(index, term);
    }

    @Override
    public void close() throws IOException {
        LogStore s;
        try {
            s = store();
        } catch (IOException | RuntimeException neverOpened) {
            return; // its failure was the start's; nothing of it is open
        }
        s.close();
    }

    private LogStore store() throws IOException {
        LogStore s = store;
        if (s == null) {
            s = opening.join();
            store = s;
        }
        return s;
    }

    /** For the two questions that cannot throw IOException; the server asks loadHardState first. */
    private LogStore opened() {
        try {
            return store();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
