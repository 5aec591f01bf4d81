package io.raftkit.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotStreamReader;
import io.raftkit.api.spi.SnapshotStore.SnapshotBuilder;
import io.raftkit.api.spi.SnapshotStore.SnapshotReceiver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SnapshotStore} must do. A plugin's test extends this class and says how to
 * open a store; durable stores also say how to reopen one, and the reopen tests check what survives.
 */
public abstract class SnapshotStoreContract {

    protected static final ClusterConfig CONFIG = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")),
            Set.of(NodeId.of("l1")));

    protected SnapshotStore store;
    private final List<SnapshotStore> others = new ArrayList<>();

    /** A new, empty store. */
    protected abstract SnapshotStore openNew() throws Exception;

    /** Another new, empty store, independent of {@link #openNew()}'s: a peer to send snapshots to. */
    protected abstract SnapshotStore openPeer() throws Exception;

    /**
     * Closes {@code current} and opens the same store again, or returns null for a store that keeps
     * nothing across reopening (a memory store): the durability tests are then skipped.
     */
    protected abstract SnapshotStore reopen(SnapshotStore current) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = openNew();
    }

    @AfterEach
    void closeStores() throws Exception {
        if (store != null) {
            store.close();
        }
        for (SnapshotStore s : others) {
            s.close();
        }
    }

    protected SnapshotStore peer() throws Exception {
        SnapshotStore peer = openPeer();
        others.add(peer);
        return peer;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Records with keys in unsigned order, values of the given sizes cycling, filled from a seed. */
    protected static TreeMap<String, byte[]> records(int count, long seed, int... valueSizes) {
        Random random = new Random(seed);
        TreeMap<String, byte[]> records = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[valueSizes[i % valueSizes.length]];
            random.nextBytes(value);
            records.put(String.format("key-%08d", i), value);
        }
        return records;
    }

    protected SnapshotMeta commitRecords(SnapshotStore target, long index, long term, TreeMap<String, byte[]> records)
            throws IOException {
        try (SnapshotBuilder b = target.create(index, term, CONFIG, SnapshotKind.RECORDS)) {
            for (var e : records.entrySet()) {
                b.put(bytes(e.getKey()), e.getValue());
            }
            return b.commit();
        }
    }

    protected static TreeMap<String, byte[]> readRecords(SnapshotStore from, String id) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (SnapshotReader r = from.read(id)) {
            byte[] previous = null;
            while (r.nextRecord()) {
                if (previous != null) {
                    assertThat(Arrays.compareUnsigned(previous, r.key())).as("keys come back in order").isNegative();
                }
                previous = r.key();
                out.put(new String(r.key(), StandardCharsets.UTF_8), r.value());
            }
        }
        return out;
    }

    protected static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    protected static void assertSameRecords(TreeMap<String, byte[]> actual, TreeMap<String, byte[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (var e : expected.entrySet()) {
            assertThat(actual.get(e.getKey())).as("value of " + e.getKey()).isEqualTo(e.getValue());
        }
    }

    /** Sends {@code meta}'s transfer stream from {@code from} to {@code to} in chunks of {@code chunk} bytes. */
    protected static SnapshotMeta transfer(SnapshotStore from, SnapshotMeta meta, SnapshotStore to, int chunk) throws IOException {
        try (InputStream in = from.openStream(meta.id()); SnapshotReceiver receiver = to.receive(meta)) {
            long offset = 0;
            byte[] buffer;
            while ((buffer = in.readNBytes(chunk)).length > 0) {
                assertThat(receiver.write(offset, buffer)).isTrue();
                offset += buffer.length;
            }
            return receiver.install();
        }
    }

    @Test
    void aNewStoreHoldsNoSnapshot() {
        assertThat(store.latest()).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.read("1-1-00000000")).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void aCommittedRecordsSnapshotReadsBackInKeyOrderWithItsMetadata() throws Exception {
        TreeMap<String, byte[]> records = records(500, 1, 0, 1, 100, 3000);
        SnapshotMeta meta = commitRecords(store, 42, 7, records);
        assertThat(meta.lastIncludedIndex()).isEqualTo(42);
        assertThat(meta.lastIncludedTerm()).isEqualTo(7);
        assertThat(meta.config()).isEqualTo(CONFIG);
        assertThat(meta.kind()).isEqualTo(SnapshotKind.RECORDS);
        assertThat(store.latest()).contains(meta);
        assertThat(store.list()).containsExactly(meta);
        assertSameRecords(readRecords(store, meta.id()), records);
    }

    @Test
    void keysAreComparedAsUnsignedBytes() throws Exception {
        SnapshotMeta meta;
        try (SnapshotBuilder b = store.create(1, 1, CONFIG, SnapshotKind.RECORDS)) {
            b.put(new byte[] {0x01}, bytes("a"));
            b.put(new byte[] {0x7f}, bytes("b"));
            b.put(new byte[] {(byte) 0x80}, bytes("c"));
            b.put(new byte[] {(byte) 0xff, 0x00}, bytes("d"));
            meta = b.commit();
        }
        List<String> values = new ArrayList<>();
        try (SnapshotReader r = store.read(meta.id())) {
            while (r.nextRecord()) {
                values.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(values).containsExactly("a", "b", "c", "d");
    }

    @Test
    void anEmptyRecordsSnapshotIsASnapshot() throws Exception {
        SnapshotMeta meta = commitRecords(store, 3, 1, new TreeMap<>());
        assertThat(readRecords(store, meta.id())).isEmpty();
        assertThat(store.latest()).contains(meta);
    }

    @Test
    void anOpaqueBytesSnapshotReadsBackIntact() throws Exception {
        byte[] content = new byte[300_000];
        new Random(2).nextBytes(content);
        SnapshotMeta meta;
        try (SnapshotBuilder b = store.create(10, 2, CONFIG, SnapshotKind.BYTES)) {
            b.write(content, 0, 1000);
            b.asOutputStream().write(content, 1000, content.length - 1000);
            meta = b.commit();
        }
        assertThat(meta.kind()).isEqualTo(SnapshotKind.BYTES);
        try (SnapshotReader r = store.read(meta.id())) {
            assertThat(readAll(r.bytes())).isEqualTo(content);
            assertThatThrownBy(r::nextRecord).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void keysOutOfOrderOrRepeatedAreRefusedNamingTheKey() throws Exception {
        try (SnapshotBuilder b = store.create(5, 1, CONFIG, SnapshotKind.RECORDS)) {
            b.put(bytes("b"), bytes("1"));
            assertThatThrownBy(() -> b.put(bytes("a"), bytes("2"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("increasing");
            assertThatThrownBy(() -> b.put(bytes("b"), bytes("2"))).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(store.latest()).isEmpty();
    }

    @Test
    void aBuilderUsesOnlyTheMethodOfItsKind() throws Exception {
        try (SnapshotBuilder b = store.create(5, 1, CONFIG, SnapshotKind.BYTES)) {
            assertThatThrownBy(() -> b.put(bytes("a"), bytes("1"))).isInstanceOf(IllegalStateException.class);
        }
        try (SnapshotBuilder b = store.create(5, 1, CONFIG, SnapshotKind.RECORDS)) {
            assertThatThrownBy(() -> b.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aBuilderClosedWithoutCommitLeavesNoSnapshot() throws Exception {
        try (SnapshotBuilder b = store.create(5, 1, CONFIG, SnapshotKind.RECORDS)) {
            b.put(bytes("a"), bytes("1"));
        }
        assertThat(store.latest()).isEmpty();
        SnapshotStore reopened = reopen(store);
        if (reopened != null) {
            store = reopened;
            assertThat(store.latest()).isEmpty();
        }
    }

    @Test
    void aJointConfigurationAndRunTimeAddressesAreKeptWholeAcrossReopening() throws Exception {
        // A snapshot taken during a membership change carries C(old,new): a store that kept only its
        // voters and learners made a node restarted from it count the wrong quorum (issue 17).
        ClusterConfig joint = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n4")),
                Set.of(NodeId.of("n5")), Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")),
                java.util.Map.of(NodeId.of("n4"), "10.0.0.4:7000", NodeId.of("n5"), "10.0.0.5:7000"));
        SnapshotMeta meta;
        try (SnapshotBuilder b = store.create(42, 3, joint, SnapshotKind.RECORDS)) {
            b.put(bytes("a"), bytes("1"));
            meta = b.commit();
        }
        assertThat(meta.config()).isEqualTo(joint);
        assertThat(store.latest().orElseThrow().config()).isEqualTo(joint);
        SnapshotStore reopened = reopen(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "this store keeps nothing across reopening");
        store = reopened;
        assertThat(store.latest().orElseThrow().config()).isEqualTo(joint);
    }

    @Test
    void theTransferStreamHasTheStatedSizeAndChecksumAndParsesToTheRecords() throws Exception {
        TreeMap<String, byte[]> records = records(2000, 3, 10, 20_000, 7);
        SnapshotMeta meta = commitRecords(store, 9, 3, records);
        byte[] stream = readAll(store.openStream(meta.id()));
        assertThat((long) stream.length).isEqualTo(meta.sizeBytes());
        CRC32C crc = new CRC32C();
        crc.update(stream);
        assertThat(crc.getValue()).isEqualTo(meta.checksum());
        TreeMap<String, byte[]> parsed = new TreeMap<>();
        try (SnapshotStreamReader r = new SnapshotStreamReader(new ByteArrayInputStream(stream), "test")) {
            while (r.nextRecord()) {
                parsed.put(new String(r.key(), StandardCharsets.UTF_8), r.value());
            }
        }
        assertSameRecords(parsed, records);
    }

    @Test
    void aSnapshotSentInChunksInstallsOnAPeerIdenticalWithTheSameId() throws Exception {
        TreeMap<String, byte[]> records = records(3000, 4, 50, 9000, 0);
        SnapshotMeta meta = commitRecords(store, 100, 5, records);
        SnapshotStore peer = peer();
        SnapshotMeta installed = transfer(store, meta, peer, 4096);
        assertThat(installed).isEqualTo(meta);
        assertThat(peer.latest()).contains(meta);
        assertSameRecords(readRecords(peer, meta.id()), records);
        assertThat(readAll(peer.openStream(meta.id()))).isEqualTo(readAll(store.openStream(meta.id())));
    }

    @Test
    void anOpaqueSnapshotTransfersToo() throws Exception {
        byte[] content = new byte[200_000];
        new Random(5).nextBytes(content);
        SnapshotMeta meta;
        try (SnapshotBuilder b = store.create(10, 2, CONFIG, SnapshotKind.BYTES)) {
            b.write(content, 0, content.length);
            meta = b.commit();
        }
        SnapshotStore peer = peer();
        transfer(store, meta, peer, 7000);
        try (SnapshotReader r = peer.read(meta.id())) {
            assertThat(readAll(r.bytes())).isEqualTo(content);
        }
    }

    @Test
    void aChunkAtAnotherOffsetIsIgnoredSoTheSenderResendsFromTheNextOffset() throws Exception {
        SnapshotMeta meta = commitRecords(store, 8, 2, records(200, 6, 100));
        byte[] stream = readAll(store.openStream(meta.id()));
        SnapshotStore peer = peer();
        try (SnapshotReceiver r = peer.receive(meta)) {
            assertThat(r.write(0, Arrays.copyOfRange(stream, 0, 1000))).isTrue();
            assertThat(r.write(0, Arrays.copyOfRange(stream, 0, 1000))).as("a duplicate").isFalse();
            assertThat(r.write(2000, Arrays.copyOfRange(stream, 2000, 3000))).as("after a lost chunk").isFalse();
            assertThat(r.nextOffset()).isEqualTo(1000);
            assertThat(r.write(1000, Arrays.copyOfRange(stream, 1000, stream.length))).isTrue();
            assertThat(r.install()).isEqualTo(meta);
        }
        assertThat(peer.latest()).contains(meta);
    }

    @Test
    void aReceivedSnapshotThatFailsItsChecksumIsRefusedAndLeavesNothing() throws Exception {
        SnapshotMeta meta = commitRecords(store, 8, 2, records(100, 7, 30));
        byte[] stream = readAll(store.openStream(meta.id()));
        stream[stream.length / 2] ^= 0x10;
        SnapshotStore peer = peer();
        try (SnapshotReceiver r = peer.receive(meta)) {
            assertThat(r.write(0, stream)).isTrue();
            assertThatThrownBy(r::install).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("checksum");
        }
        assertThat(peer.latest()).isEmpty();
    }

    @Test
    void aStreamThatMatchesItsChecksumButDoesNotParseIsRefused() throws Exception {
        byte[] garbage = bytes("not a snapshot stream at all");
        CRC32C crc = new CRC32C();
        crc.update(garbage);
        SnapshotMeta meta = new SnapshotMeta("1-1-garbage", 1, 1, CONFIG, SnapshotKind.RECORDS, garbage.length, crc.getValue());
        try (SnapshotReceiver r = store.receive(meta)) {
            assertThat(r.write(0, garbage)).isTrue();
            assertThatThrownBy(r::install).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("malformed");
        }
        assertThat(store.latest()).isEmpty();
    }

    @Test
    void aStreamOfAnotherKindThanAnnouncedIsRefused() throws Exception {
        SnapshotMeta records = commitRecords(store, 8, 2, records(10, 8, 30));
        byte[] stream = readAll(store.openStream(records.id()));
        SnapshotMeta lying = new SnapshotMeta(records.id(), 8, 2, CONFIG, SnapshotKind.BYTES, records.sizeBytes(), records.checksum());
        SnapshotStore peer = peer();
        try (SnapshotReceiver r = peer.receive(lying)) {
            r.write(0, stream);
            assertThatThrownBy(r::install).isInstanceOf(InvalidSnapshotException.class);
        }
        assertThat(peer.latest()).isEmpty();
    }

    @Test
    void aChunkReachingPastTheStatedSizeIsRefusedAndAnIncompleteSnapshotIsNotInstalled() throws Exception {
        SnapshotMeta meta = commitRecords(store, 8, 2, records(10, 9, 30));
        byte[] stream = readAll(store.openStream(meta.id()));
        SnapshotStore peer = peer();
        try (SnapshotReceiver r = peer.receive(meta)) {
            assertThatThrownBy(() -> r.write(0, Arrays.copyOf(stream, stream.length + 1)))
                    .isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("past the stated size");
            r.write(0, Arrays.copyOf(stream, stream.length - 1));
            assertThatThrownBy(r::install).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("incomplete");
        }
        assertThat(peer.latest()).isEmpty();
    }

    @Test
    void bigValuesAndBigKeysRoundTrip() throws Exception {
        TreeMap<String, byte[]> records = records(40, 10, 1 << 20, 5 << 20, 64 * 1024, 8 * 1024, 8 * 1024 + 1, 3);
        SnapshotMeta meta;
        byte[] bigKey = new byte[16 * 1024];
        Arrays.fill(bigKey, (byte) 'z');
        try (SnapshotBuilder b = store.create(50, 4, CONFIG, SnapshotKind.RECORDS)) {
            for (var e : records.entrySet()) {
                b.put(bytes(e.getKey()), e.getValue());
            }
            for (int i = 0; i < 40; i++) {
                byte[] key = bigKey.clone();
                key[key.length - 1] = (byte) ('A' + i); // ASCII: the test maps keys to strings
                b.put(key, new byte[8 * 1024]);
            }
            meta = b.commit();
        }
        TreeMap<String, byte[]> back = readRecords(store, meta.id());
        assertThat(back).hasSize(80);
        for (var e : records.entrySet()) {
            assertThat(back.get(e.getKey())).as("value of " + e.getKey()).isEqualTo(e.getValue());
        }
        SnapshotStore peer = peer();
        transfer(store, meta, peer, 1 << 20);
        assertThat(readRecords(peer, meta.id())).hasSize(80);
    }

    @Test
    void aKeyOrValueOverTheLimitIsRefusedNamingTheLimit() throws Exception {
        try (SnapshotBuilder b = store.create(5, 1, CONFIG, SnapshotKind.RECORDS)) {
            assertThatThrownBy(() -> b.put(new byte[16 * 1024 + 1], new byte[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("limit");
        }
    }

    @Test
    void theNewestSnapshotsAreKeptAndTheNewestIsLatest() throws Exception {
        SnapshotMeta first = commitRecords(store, 10, 1, records(5, 11, 10));
        SnapshotMeta second = commitRecords(store, 20, 1, records(5, 12, 10));
        SnapshotMeta third = commitRecords(store, 30, 2, records(5, 13, 10));
        assertThat(store.latest()).contains(third);
        assertThat(store.list()).startsWith(third, second);
        assertThat(store.list()).doesNotContain(first); // beyond the default retention of two
        assertSameRecords(readRecords(store, second.id()), records(5, 12, 10));
    }

    @Test
    void aReaderOpenBeforeItsSnapshotIsDeletedStillReadsIt() throws Exception {
        TreeMap<String, byte[]> records = records(300, 14, 100, 20_000);
        SnapshotMeta old = commitRecords(store, 10, 1, records);
        try (SnapshotReader reader = store.read(old.id()); InputStream stream = store.openStream(old.id())) {
            commitRecords(store, 20, 1, records(3, 15, 1));
            commitRecords(store, 30, 1, records(3, 16, 1));
            commitRecords(store, 40, 1, records(3, 17, 1));
            int count = 0;
            while (reader.nextRecord()) {
                count++;
            }
            assertThat(count).isEqualTo(300);
            assertThat((long) stream.readAllBytes().length).isEqualTo(old.sizeBytes());
        }
    }

    @Test
    void committedSnapshotsSurviveReopening() throws Exception {
        TreeMap<String, byte[]> records = records(1000, 18, 5, 10_000);
        SnapshotMeta older = commitRecords(store, 10, 1, records(10, 19, 5));
        SnapshotMeta meta = commitRecords(store, 77, 3, records);
        SnapshotStore reopened = reopen(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "this store keeps nothing across reopening");
        store = reopened;
        assertThat(store.latest()).contains(meta);
        assertThat(store.list()).containsExactly(meta, older);
        assertSameRecords(readRecords(store, meta.id()), records);
    }

    @Test
    void aTransferCanBeRestartedWithANewReceiver() throws Exception {
        SnapshotMeta meta = commitRecords(store, 12, 2, records(50, 20, 100));
        byte[] stream = readAll(store.openStream(meta.id()));
        SnapshotStore peer = peer();
        try (SnapshotReceiver abandoned = peer.receive(meta)) {
            abandoned.write(0, Arrays.copyOf(stream, 100));
        }
        try (SnapshotReceiver r = peer.receive(meta)) {
            assertThat(r.nextOffset()).isZero();
            r.write(0, stream);
            r.install();
        }
        assertThat(peer.latest()).contains(meta);
    }

    @Test
    void snapshotsOfTheSameContentGetTheSameIdAndInstallingOneTwiceKeepsOne() throws Exception {
        SnapshotMeta a = commitRecords(store, 12, 2, records(50, 21, 100));
        SnapshotMeta b = commitRecords(store, 12, 2, records(50, 21, 100));
        assertThat(b).isEqualTo(a);
        assertThat(store.list()).containsExactly(a);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        store.openStream(a.id()).transferTo(copy);
        try (SnapshotReceiver r = store.receive(a)) {
            r.write(0, copy.toByteArray());
            assertThat(r.install()).isEqualTo(a);
        }
        assertThat(store.list()).containsExactly(a);
    }
}
