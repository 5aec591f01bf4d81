package io.raftkit.kv.server;

import io.raftkit.api.spi.Options;
import io.raftkit.core.server.SnapshotPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A node's snapshot flags: when to take a snapshot (every N entries or M bytes of log since the
 * last one, but not before that log holds a given percent of the last snapshot's size), how many
 * entries to keep behind it for slightly lagging followers, and which
 * snapshot store plugin keeps them. A policy field not given is empty: the Raft core's default
 * applies.
 *
 * @param store        a SnapshotStoreProvider name: {@code mapdb} (beside the log store, in the
 *                     data directory) unless the log store is {@code memory}, then {@code memory}
 * @param storeOptions the {@code snapshot-store.*} settings, for that plugin
 */
public record SnapshotSettings(OptionalLong everyEntries, OptionalLong everyBytes, OptionalLong minLogPercent,
                               OptionalLong keepTail, String store, Options storeOptions) {

    static final String EVERY_ENTRIES = "snapshot-every-entries";
    static final String EVERY_BYTES = "snapshot-every-bytes";
    static final String MIN_LOG_PERCENT = "snapshot-min-log-percent";
    static final String KEEP_TAIL = "snapshot-keep-tail";
    static final String STORE = "snapshot-store";
    static final List<String> KEYS = List.of(EVERY_ENTRIES, EVERY_BYTES, MIN_LOG_PERCENT, KEEP_TAIL, STORE);
    /** The log since a snapshot may be asked to hold up to 100 times its size before the next one. */
    static final long MAX_PERCENT = 10_000;
    /** A billion entries: beyond that the log between snapshots would not fit any disk we plan for. */
    static final long MAX_ENTRIES = 1_000_000_000L;
    /** 1 KiB to 1 TiB of log between snapshots. */
    static final long MIN_BYTES = 1024;
    static final long MAX_BYTES = 1L << 40;

    static SnapshotSettings from(Map<String, String> settings, Map<String, String> storeOptions, String logStore, boolean hasDataDir) {
        Options numbers = Options.of(settings);
        OptionalLong entries = optional(numbers, EVERY_ENTRIES, 1, MAX_ENTRIES);
        OptionalLong bytes = optional(numbers, EVERY_BYTES, MIN_BYTES, MAX_BYTES);
        OptionalLong percent = optional(numbers, MIN_LOG_PERCENT, 0, MAX_PERCENT);
        OptionalLong tail = optional(numbers, KEEP_TAIL, 0, MAX_ENTRIES);
        String store = settings.getOrDefault(STORE, logStore.equals("memory") ? "memory" : "mapdb").trim();
        if (store.isEmpty()) {
            throw new IllegalArgumentException(STORE + " is empty: give a snapshot store plugin name, e.g. mapdb");
        }
        if (!store.equals("memory") && !hasDataDir) {
            throw new IllegalArgumentException("data-dir is required for the '" + store + "' snapshot store");
        }
        return new SnapshotSettings(entries, bytes, percent, tail, store, Options.of(storeOptions));
    }

    /** The Raft core's policy with the flags that were given applied over {@code defaults}. */
    public SnapshotPolicy policy(SnapshotPolicy defaults) {
        SnapshotPolicy p = defaults;
        if (everyEntries.isPresent()) {
            p = p.withEntriesBetween(everyEntries.getAsLong());
        }
        if (everyBytes.isPresent()) {
            p = p.withLogBytesBetween(everyBytes.getAsLong());
        }
        if (minLogPercent.isPresent()) {
            p = p.withMinLogFraction(minLogPercent.getAsLong() / 100.0);
        }
        if (keepTail.isPresent()) {
            p = p.withKeptEntries(keepTail.getAsLong());
        }
        return p;
    }

    /** The policy flags that were given, as {@code --name value}, for messages. */
    List<String> given() {
        List<String> given = new ArrayList<>();
        everyEntries.ifPresent(v -> given.add("--" + EVERY_ENTRIES + " " + v));
        everyBytes.ifPresent(v -> given.add("--" + EVERY_BYTES + " " + v));
        minLogPercent.ifPresent(v -> given.add("--" + MIN_LOG_PERCENT + " " + v));
        keepTail.ifPresent(v -> given.add("--" + KEEP_TAIL + " " + v));
        return given;
    }

    private static OptionalLong optional(Options numbers, String key, long min, long max) {
        if (numbers.get(key).isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(numbers.longValue(key, 0, min, max));
        } catch (IllegalArgumentException e) {
            // Options says "option x"; a server flag is named as the flag.
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^option ", ""));
        }
    }
}
