package io.raftkit.core.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.EntryKind;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.core.memory.MemoryLogStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crash keeps: everything an honest store acknowledged, and for the planted bug
 * ({@code ack-before-sync}) only what the last sync covered. The "disk" is a memory store that
 * outlives each wrapper, as files outlive a process; a new wrapper over it is the restarted node.
 */
class FaultInjectingLogStoreTest {

    @TempDir
    Path dir;

    private final MemoryLogStore disk = new MemoryLogStore();

    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(new LogEntry(i, term, EntryKind.COMMAND, ("e" + i + "t" + term).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    private FaultInjectingLogStore open(boolean ackBeforeSync) throws IOException {
        return new FaultInjectingLogStore(disk, dir, ackBeforeSync, 0);
    }

    @Test
    void anHonestStoreLosesNothingItAcknowledgedInACrash() throws Exception {
        FaultInjectingLogStore store = open(false);
        store.append(entries(1, 5, 1));
        store.saveHardState(new HardState(1, NodeId.of("n1"), 5));
        assertThat(store.crash()).startsWith("nothing unsynced");
        FaultInjectingLogStore restarted = open(false);
        assertThat(restarted.lastIndex()).isEqualTo(5);
        assertThat(restarted.loadHardState()).isEqualTo(new HardState(1, NodeId.of("n1"), 5));
    }

    @Test
    void acknowledgingBeforeTheSyncLosesTheAcknowledgedSuffixAndVoteInACrash() throws Exception {
        FaultInjectingLogStore store = open(true);
        store.append(entries(1, 5, 1));
        store.saveHardState(new HardState(1, NodeId.of("n1"), 5));
        store.sync();
        store.append(entries(6, 9, 2));
        store.saveHardState(new HardState(2, NodeId.of("n2"), 9));
        assertThat(store.lastIndex()).as("acknowledged").isEqualTo(9);
        assertThat(store.crash()).contains("last index 9 -> 5");
        assertThatThrownBy(() -> store.append(entries(10, 10, 2))).hasMessageContaining("crashed");

        FaultInjectingLogStore restarted = open(true);
        assertThat(restarted.lastIndex()).isEqualTo(5);
        assertThat(restarted.loadHardState()).as("the vote in term 2 was never synced").isEqualTo(new HardState(1, NodeId.of("n1"), 5));
        assertThat(restarted.entries(1, 9, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 5, 1));
    }

    @Test
    void aCrashRestoresSyncedEntriesThatAnUnsyncedAppendOverwrote() throws Exception {
        FaultInjectingLogStore store = open(true);
        store.append(entries(1, 10, 1));
        store.sync();
        store.append(entries(6, 7, 2)); // §5.3: a conflicting suffix replaced, not yet synced
        store.append(entries(4, 4, 3)); // and again, lower
        assertThat(store.lastIndex()).isEqualTo(4);
        store.crash();
        FaultInjectingLogStore restarted = open(true);
        assertThat(restarted.lastIndex()).isEqualTo(10);
        assertThat(restarted.entries(1, 10, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 10, 1));
    }

    @Test
    void aCrashBeforeAnySyncEmptiesTheLogAndTheNextAppendReplacesWhatWasDropped() throws Exception {
        FaultInjectingLogStore store = open(true);
        store.append(entries(1, 3, 1));
        store.crash();
        assertThat(Files.exists(dir.resolve(FaultInjectingLogStore.MARKER))).isTrue();
        FaultInjectingLogStore restarted = open(true);
        assertThat(restarted.lastIndex()).as("no append can empty a log: the marker does").isZero();
        assertThat(restarted.entries(1, 3, Long.MAX_VALUE)).isEmpty();
        restarted.append(entries(1, 1, 4));
        assertThat(Files.exists(dir.resolve(FaultInjectingLogStore.MARKER))).isFalse();
        assertThat(open(true).entries(1, 3, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 4));
    }

    @Test
    void aProcessKillWithoutTheCrashCommandKeepsUnsyncedWritesAsThePageCacheWould() throws Exception {
        FaultInjectingLogStore store = open(true);
        store.append(entries(1, 3, 1));
        // kill -9: the wrapper is simply gone, the inner store ("the page cache") keeps its data
        assertThat(open(true).lastIndex()).isEqualTo(3);
    }

    @Test
    void theAdminEndpointCrashesThenEndsTheProcessAsKillDoes() throws Exception {
        FaultInjectingLogStore store = open(true);
        store.append(entries(1, 3, 1));
        AtomicInteger halted = new AtomicInteger(-1);
        try (DiskFaultAdminServer admin = new DiskFaultAdminServer(0, store, halted::set)) {
            HttpClient http = HttpClient.newHttpClient();
            String url = "http://127.0.0.1:" + admin.port() + "/crash";
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.body()).contains("mode=ack-before-sync").contains("unsyncedWrites=1");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(200);
            assertThat(post.body()).contains("dropped 1 unsynced writes");
            // The endpoint answers first and halts after (a halted process sends nothing), so the
            // answer can arrive before the halt: wait for it (this read once found -1).
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (halted.get() == -1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(halted.get()).isEqualTo(137);
        }
        assertThat(open(true).lastIndex()).isZero();
    }

    @Test
    void theProviderRefusesToWrapItselfOrToRunWithoutADataDirectory() {
        FaultInjectingLogStoreProvider provider = new FaultInjectingLogStoreProvider();
        assertThatThrownBy(() -> provider.open(new io.raftkit.api.spi.LogStoreConfig(NodeId.of("n1"), "c", dir,
                io.raftkit.api.spi.Options.of(java.util.Map.of("inner", "fault-injecting")), null)))
                .hasMessageContaining("wrap itself");
        assertThatThrownBy(() -> provider.open(new io.raftkit.api.spi.LogStoreConfig(NodeId.of("n1"), "c", null,
                io.raftkit.api.spi.Options.of(java.util.Map.of("inner", "memory")), null)))
                .hasMessageContaining("needs a data directory");
    }
}
