package io.raftkit.kv.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftServer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's Prometheus metrics: Raft state read from {@link RaftServer#status()} at scrape time,
 * and a latency histogram per API operation. The transport and log store plugins register their
 * own counters in the same registry (lent to them through Resources).
 */
final class KvMetrics {

    private final MeterRegistry registry;
    private final String node;
    /** Timers by op and status: built once, since a registry lookup per request costs more than the timing. */
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    KvMetrics(MeterRegistry registry, RaftServer raft, io.raftkit.kv.KvStateMachine kv) {
        this.registry = registry;
        String id = raft.id().value();
        this.node = id;
        Gauge.builder("raft_term", raft, r -> r.status().term()).tag("node", id).register(registry);
        for (Role role : Role.values()) {
            Gauge.builder("raft_role", raft, r -> r.status().role() == role ? 1 : 0)
                    .tag("node", id).tag("role", role.name().toLowerCase()).register(registry);
        }
        Gauge.builder("raft_commit_index", raft, r -> r.status().commitIndex()).tag("node", id).register(registry);
        Gauge.builder("raft_applied_index", raft, r -> r.status().appliedIndex()).tag("node", id).register(registry);
        Gauge.builder("raft_last_log_index", raft, r -> r.status().lastLogIndex()).tag("node", id).register(registry);
        FunctionCounter.builder("raft_proposals", raft, r -> r.status().proposals()).tag("node", id).register(registry);
        FunctionCounter.builder("raft_reads", raft, r -> r.status().reads()).tag("node", id).register(registry);
        FunctionTimer.builder("raft_read_confirm", raft, r -> r.status().readsConfirmed(),
                        r -> r.status().readConfirmNanos(), TimeUnit.NANOSECONDS)
                .description("linearizable reads' wait for their read index (a heartbeat round's quorum)")
                .tag("node", id).register(registry);
        Gauge.builder("raft_log_heap_bytes", raft, r -> r.status().logHeapBytes())
                .description("heap the in-memory log takes (estimated): the entries above the snapshot before the newest")
                .tag("node", id).register(registry);
        Gauge.builder("raft_log_first_index", raft, r -> r.snapshotStats().logFirstIndex())
                .description("first index the log store still holds (compaction after a snapshot moves it)")
                .tag("node", id).register(registry);
        Gauge.builder("raft_snapshot_last_duration_ms", raft, r -> r.snapshotStats().lastDurationMillis())
                .description("how long the last snapshot this node took needed, from capture to durable")
                .tag("node", id).register(registry);
        FunctionCounter.builder("raft_snapshots_taken", raft, r -> r.snapshotStats().snapshotsTaken())
                .description("snapshots this node took and made durable").tag("node", id).register(registry);
        FunctionCounter.builder("raft_snapshot_installs_sent", raft, r -> r.snapshotStats().installsSent())
                .description("snapshots this node, as leader, sent to followers that installed them")
                .tag("node", id).register(registry);
        FunctionCounter.builder("raft_snapshot_installs_received", raft, r -> r.snapshotStats().installsReceived())
                .description("snapshots this node received from a leader and installed").tag("node", id).register(registry);
        Gauge.builder("raft_log_heap_limit_bytes", raft, r -> r.status().logHeapLimitBytes())
                .description("log heap at which writes are refused (507 log-full)").tag("node", id).register(registry);
        Gauge.builder("kv_state_heap_bytes", kv, io.raftkit.kv.KvStateMachine::heapBytes)
                .description("heap the keys, values and client sessions take (estimated); counts with the log against the limit")
                .tag("node", id).register(registry);
        Gauge.builder("kv_sessions", kv, io.raftkit.kv.KvStateMachine::sessionCount)
                .description("exactly-once client sessions kept (bounded by the replicated session capacity)")
                .tag("node", id).register(registry);
    }

    /**
     * The newest snapshot's index and size, read from {@code source} at scrape time (the duration
     * and InstallSnapshot counts come from the Raft server's SnapshotStats, above).
     */
    void snapshotGauges(io.raftkit.kv.snapshot.SnapshotSource source) {
        Gauge.builder("raft_snapshot_index", source, s -> s.latest().map(m -> (double) m.lastIncludedIndex()).orElse(0.0))
                .description("last log index the newest durable snapshot covers (0: none)").tag("node", node).register(registry);
        Gauge.builder("raft_snapshot_size_bytes", source, s -> s.latest().map(m -> (double) m.sizeBytes()).orElse(0.0))
                .description("size of the newest durable snapshot's transfer stream").tag("node", node).register(registry);
    }

    Timer.Sample start() {
        return Timer.start(registry);
    }

    void stop(Timer.Sample sample, String op, int httpStatus) {
        sample.stop(timers.computeIfAbsent(op + ' ' + httpStatus, k -> Timer.builder("kv_request")
                .description("HTTP API latency per operation, forwarding included")
                .tag("op", op)
                .tag("status", Integer.toString(httpStatus))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)));
    }
}
