package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.core.memory.MemorySnapshotStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The two-phase KV snapshot: captured on the loop, written elsewhere, restored record by record. */
class KvSnapshotTest {

    private static final long LEGACY_TTL = 30_000;
    /** Keys whose UTF-16 order differs from their UTF-8 order, so record order is really tested. */
    private static final List<String> KEYS = keys();

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add("k" + i);
        }
        keys.addAll(List.of("\uE000", "\uFFFD", "\uD83D\uDE00", "\uD83D\uDE00x", "\u00e9", "\u20ac", "a b", "Z"));
        return keys;
    }

    /**
     * A seeded log of KV commands with what sessions meet in practice: several clients, exact
     * retries, stale and reused sequences, session policies small enough to evict and expire, and
     * a leader clock that jumps back now and then.
     */
    static List<byte[]> workload(long seed, int n) {
        Random random = new Random(seed);
        List<byte[]> log = new ArrayList<>();
        long now = 1_000_000;
        long[] sequence = new long[9];
        long[] clientId = new long[9];
        byte[][] last = new byte[9][];
        for (int c = 1; c < 9; c++) {
            clientId[c] = c;
        }
        for (int i = 0; i < n; i++) {
            now += random.nextInt(10) == 0 ? -random.nextInt(5_000) : random.nextInt(1_500);
            int client = random.nextInt(9); // 0: no session
            if (random.nextInt(40) == 0) {
                log.add(KvCodec.encode(new KvCommand.SetSessionPolicy(SessionStamp.anonymous(now),
                        new SessionPolicy(10_000 + random.nextInt(50_000), 4 + random.nextInt(8)))));
                continue;
            }
            if (client > 0 && random.nextInt(60) == 0) {
                // A client whose session expired or was evicted starts a new one, as KvClient does.
                clientId[client] += 100;
                sequence[client] = 0;
                last[client] = null;
            }
            if (client > 0 && last[client] != null && random.nextInt(6) == 0) {
                log.add(last[client]); // an exact retry
                continue;
            }
            SessionStamp stamp;
            if (client == 0) {
                stamp = SessionStamp.anonymous(now);
            } else {
                int kind = random.nextInt(30);
                long seq = kind == 0 ? Math.max(1, sequence[client] - 1) : kind == 1 ? Math.max(1, sequence[client]) : ++sequence[client];
                stamp = new SessionStamp(clientId[client], seq, now);
            }
            String key = KEYS.get(random.nextInt(KEYS.size()));
            int op = random.nextInt(12);
            KvCommand command;
            if (op >= 10) {
                // Transactions: list appends (to lists, and now and then to a plain value: refused), guarded.
                String list = random.nextInt(8) == 0 ? key : "list" + random.nextInt(3);
                List<KvTxn.Guard> guards = random.nextBoolean() ? List.of() : List.of(KvTxn.Guard.versionIs(key, random.nextInt(3)));
                command = new KvCommand.Txn(stamp, guards, List.of(KvTxn.Op.get(key),
                        KvTxn.Op.append(list, KvValue.of(Integer.toString(random.nextInt(1000)))), KvTxn.Op.put(key, KvValue.of("t" + i))));
            } else if (op < 5) {
                command = new KvCommand.Put(stamp, key, "v" + random.nextInt(1000));
            } else if (op < 7) {
                command = new KvCommand.Delete(stamp, key);
            } else {
                Optional<String> expected = random.nextBoolean() ? Optional.empty() : Optional.of("v" + random.nextInt(1000));
                command = new KvCommand.Cas(stamp, key, expected, "c" + random.nextInt(1000));
            }
            byte[] bytes = KvCodec.encode(command);
            if (client > 0) {
                last[client] = bytes;
            }
            log.add(bytes);
        }
        return log;
    }

    private static KvStateMachine replay(List<byte[]> log, int upTo) {
        KvStateMachine sm = new KvStateMachine(LEGACY_TTL);
        for (int i = 0; i < upTo; i++) {
            sm.apply(i + 1, log.get(i));
        }
        return sm;
    }

    /** The snapshot's transfer stream: the same records a store receives, as bytes to compare. */
    private static byte[] records(KvStateMachine sm) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sm.snapshot(out);
        return out.toByteArray();
    }

    private static byte[] written(StateMachineSnapshot snapshot) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        io.raftkit.api.snapshot.SnapshotStreamWriter writer = new io.raftkit.api.snapshot.SnapshotStreamWriter(out, snapshot.kind());
        snapshot.writeTo(writer);
        writer.finish();
        return out.toByteArray();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 99, 2026, 31337})
    void aNodeRestoredFromASnapshotIsIdenticalToOneThatReplayedTheLog(long seed) throws Exception {
        List<byte[]> log = workload(seed, 3_000);
        int cut = 500 + new Random(seed).nextInt(2_000);
        KvStateMachine original = replay(log, cut);
        SnapshotStore store = new MemorySnapshotStore();
        SnapshotMeta meta;
        try (StateMachineSnapshot snapshot = original.captureSnapshot();
             SnapshotStore.SnapshotBuilder builder = store.create(cut, 3, ClusterConfig.ofVoters("n1", "n2", "n3"), snapshot.kind())) {
            assertThat(snapshot.kind()).isEqualTo(SnapshotKind.RECORDS);
            snapshot.writeTo(builder);
            meta = builder.commit();
        }
        KvStateMachine restored = new KvStateMachine(LEGACY_TTL);
        restored.apply(1, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1), "left-over", "x")));
        try (SnapshotReader reader = store.read(meta.id())) {
            restored.restoreSnapshot(reader);
        }
        KvStateMachine replayed = replay(log, cut);

        assertThat(records(restored)).as("seed %d: the same records out again", seed).isEqualTo(records(replayed));
        assertThat(restored.size()).isEqualTo(replayed.size());
        assertThat(restored.heapBytes()).isEqualTo(replayed.heapBytes());
        assertThat(restored.sessionCount()).isEqualTo(replayed.sessionCount());
        assertThat(restored.sessionPolicy()).isEqualTo(replayed.sessionPolicy());
        for (String key : KEYS.subList(0, KEYS.size())) {
            assertThat(restored.query(KvCodec.encodeGet(key))).as("seed %d key %s", seed, key)
                    .isEqualTo(replayed.query(KvCodec.encodeGet(key)));
        }
        assertThat(restored.query(KvCodec.encodeGet("left-over"))).isEqualTo(replayed.query(KvCodec.encodeGet("left-over")));
        int duplicates = 0;
        for (int i = cut; i < log.size(); i++) {
            byte[] fromRestored = restored.apply(i + 1, log.get(i));
            byte[] fromReplayed = replayed.apply(i + 1, log.get(i));
            assertThat(fromRestored).as("seed %d index %d", seed, i + 1).isEqualTo(fromReplayed);
            KvResult.Origin origin = fromRestored[0] == KvTxnCodec.TXN_RESULT ? KvTxnCodec.decodeResult(fromRestored).origin()
                    : KvCodec.decodeResult(fromRestored).origin();
            duplicates += origin == KvResult.Origin.DUPLICATE || origin == KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN ? 1 : 0;
        }
        assertThat(duplicates).as("seed %d: retries after the snapshot were answered from restored sessions", seed)
                .isGreaterThan(10);
        assertThat(records(restored)).isEqualTo(records(replayed));
    }

    @Test
    void appliesAfterCaptureDoNotLeakIntoTheCapturedViewWhileItIsWrittenOnAnotherThread() throws Exception {
        List<byte[]> log = workload(5, 40_000);
        KvStateMachine sm = replay(log, 20_000);
        byte[] atCapture = records(sm);
        StateMachineSnapshot captured = sm.captureSnapshot();
        CompletableFuture<byte[]> writing = CompletableFuture.supplyAsync(() -> {
            try {
                byte[] first = written(captured);
                byte[] second = written(captured); // again, while applies go on
                assertThat(second).isEqualTo(first);
                return first;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (int i = 20_000; i < log.size(); i++) {
            sm.apply(i + 1, log.get(i));
        }
        assertThat(writing.get()).as("the view written while 20,000 commands were applied").isEqualTo(atCapture);
        assertThat(written(captured)).as("and after them").isEqualTo(atCapture);
        captured.close();
        assertThat(records(sm)).as("the live state did move on").isNotEqualTo(atCapture);
        assertThat(records(sm)).isEqualTo(records(replay(log, log.size())));
    }

    @Test
    void recordKeysFollowUtf8ByteOrderForKeysWhoseUtf16OrderDiffers() throws Exception {
        KvStateMachine sm = new KvStateMachine(LEGACY_TTL);
        long index = 0;
        // UTF-16 order: U+1F600 (a surrogate pair) before U+E000; UTF-8 and code point order: after.
        for (String key : List.of("\uD83D\uDE00", "\uE000", "\uFFFF", "a", "\u0000")) {
            sm.apply(++index, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1), key, key)));
        }
        // The stream writer refuses keys out of unsigned byte order, so writing is the check.
        byte[] stream = records(sm);
        KvStateMachine restored = new KvStateMachine(LEGACY_TTL);
        restored.restore(new java.io.ByteArrayInputStream(stream));
        assertThat(restored.query(KvCodec.encodeGet("\uD83D\uDE00"))).isEqualTo(sm.query(KvCodec.encodeGet("\uD83D\uDE00")));
        assertThat(java.util.Arrays.compareUnsigned(KvSnapshotRecords.dataKey("\uD83D\uDE00"), KvSnapshotRecords.dataKey("\uE000")))
                .as("the live map's order").isPositive();
        assertThat("\uD83D\uDE00".compareTo("\uE000")).as("what String.compareTo would have done").isNegative();
    }

    @Test
    void aRestoredStateEstimatesTheSameHeapAsTheAppliedOneForKeysOfEveryUtf8Length() throws Exception {
        // A key's chars are counted from its UTF-8 bytes as its String would hold them (one byte a
        // char when all are Latin-1, else two): the Latin-1 edge (U+00FF, U+0100), three-byte and
        // four-byte (two chars) sequences, each alone and after ASCII, and an empty key.
        List<String> keys = List.of("", "a", "\u00ff", "a\u00ff", "\u0100", "a\u0100", "\u20ac", "\uFFFF",
                "\uD83D\uDE00", "ab\uD83D\uDE00", "\u00e9\u00e9\u00e9");
        KvStateMachine empty = new KvStateMachine(LEGACY_TTL);
        empty.apply(1, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1), "", "value")));
        for (String key : keys) {
            KvStateMachine sm = new KvStateMachine(LEGACY_TTL);
            sm.apply(1, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1), key, "value")));
            KvStateMachine restored = new KvStateMachine(LEGACY_TTL);
            restored.restore(new java.io.ByteArrayInputStream(records(sm)));

            assertThat(restored.size()).as("key %s", key).isEqualTo(1);
            assertThat(restored.heapBytes()).as("key %s", key).isEqualTo(sm.heapBytes());
            boolean latin1 = key.chars().allMatch(c -> c <= 0xFF);
            assertThat(sm.heapBytes() - empty.heapBytes()).as("key %s: its chars as a String holds them", key)
                    .isEqualTo(latin1 ? key.length() : 2L * key.length());
            assertThat(restored.query(KvCodec.encodeGet(key))).as("key %s", key).isEqualTo(sm.query(KvCodec.encodeGet(key)));
        }
    }
}
