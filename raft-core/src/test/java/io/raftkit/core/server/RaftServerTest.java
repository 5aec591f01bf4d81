package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.Resources;
import io.raftkit.core.Role;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.memory.MemoryNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RaftServerTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A one-node cluster on {@code store} that believes its heap holds {@code maxHeapBytes}. */
    private static RaftServer singleNode(LogStore store, long maxHeapBytes) {
        NodeId id = NodeId.of("n1");
        return RaftServer.builder().self(id).cluster(ClusterConfig.ofVoters(List.of(id))).transport("memory", null)
                .resources(Resources.EMPTY.with(MemoryNetwork.class, new MemoryNetwork("single-" + System.nanoTime())))
                .logStore(store).stateMachine(new TestCluster.Appender()).maxHeapBytes(maxHeapBytes).build();
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aThreeNodeClusterElectsALeaderAndCommitsProposalsInOrder() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            List<CompletableFuture<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(leader.propose(utf8("v" + i)));
            }
            for (CompletableFuture<byte[]> r : results) {
                assertThat(text(await(r))).startsWith("ok@");
            }
            String expected = text(await(leader.read(new byte[0])));
            assertThat(expected).startsWith("v0,v1,v2,").endsWith("v99,");
            for (RaftServer s : c.servers.values()) {
                assertThat(text(await(s.read(new byte[0])))).as("linearizable read at " + s.id()).isEqualTo(expected);
            }
        }
    }

    @Test
    void aFollowerRefusesProposalsNamingTheLeader() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            await(leader.propose(utf8("x")));
            RaftServer follower = c.follower();
            assertThatThrownBy(() -> await(follower.propose(utf8("y"))))
                    .hasCauseInstanceOf(NotLeaderException.class)
                    .cause().satisfies(e -> {
                        NotLeaderException nle = (NotLeaderException) e;
                        assertThat(nle.leaderHint()).contains(leader.id());
                        assertThat(nle.certainlyNotApplied()).isTrue();
                    });
        }
    }

    @Test
    void afterTheLeaderStopsANewLeaderIsElectedAndWritesContinue() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer old = c.awaitLeader();
            await(old.propose(utf8("before")));
            old.close();
            RaftServer next = c.awaitLeader();
            assertThat(next.id()).isNotEqualTo(old.id());
            await(next.propose(utf8("after")));
            assertThat(text(await(next.read(new byte[0])))).isEqualTo("before,after,");
        }
    }

    @Test
    void aLogTooLargeForTheHeapIsRefusedAtStartWithAMessageNamingXmxAndOneThatFitsStarts() throws Exception {
        MemoryLogStore store = new MemoryLogStore();
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 1_000; i++) {
            entries.add(LogEntry.command(i, 1, new byte[1_000]));
        }
        store.append(entries);
        RaftServer tooSmall = singleNode(store, 1_000_000); // the log needs about 1.1 MB
        assertThatThrownBy(tooSmall::start).isInstanceOf(IOException.class)
                .hasMessageContaining("entries 1 to 1000").hasMessageContaining("larger -Xmx").hasMessageContaining("nothing on disk was changed");
        assertThat(tooSmall.status().running()).isFalse();

        try (RaftServer fits = singleNode(store, 10_000_000)) {
            fits.start();
            assertThat(fits.status().lastLogIndex()).isEqualTo(1_000);
        }
    }

    @Test
    void aHeapBudgetThatIsNotPositiveIsRefusedByTheBuilder() {
        assertThatThrownBy(() -> singleNode(new MemoryLogStore(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxHeapBytes: must be positive, was 0");
    }

    @Test
    void whenTheLogWouldOutgrowTheHeapWritesAreRefusedAsNotAppliedWhileReadsGoOn() throws Exception {
        try (RaftServer server = singleNode(new MemoryLogStore(), 1_000_000)) {
            server.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.status().role() != Role.LEADER && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            int accepted = 0;
            Throwable refusal = null;
            while (refusal == null && accepted < 1_000) {
                try {
                    await(server.propose(new byte[10_000]));
                    accepted++;
                } catch (ExecutionException e) {
                    refusal = e.getCause();
                }
            }
            // 80 % of 1,000,000 bytes at about 10,096 bytes an entry (the no-op takes a little)
            assertThat(accepted).isBetween(75, 79);
            assertThat(refusal).isInstanceOf(LogFullException.class).hasMessageContaining("-Xmx");
            assertThat(((RaftException) refusal).certainlyNotApplied()).isTrue();
            assertThat(server.status().lastLogIndex()).isEqualTo(accepted + 1);
            assertThat(await(server.read(new byte[0]))).isNotNull();
            assertThat(server.status().running()).isTrue();
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.status().readsConfirmed() == 0 && System.nanoTime() < until) {
                Thread.sleep(1); // the status is published at the end of the loop's turn
            }
            assertThat(server.status().readsConfirmed()).isEqualTo(1);
            assertThat(server.status().readConfirmNanos()).isPositive();
        }
    }

    @Test
    void aRestartedNodeReplaysItsLogIntoAFreshStateMachine() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            for (int i = 0; i < 10; i++) {
                await(leader.propose(utf8("e" + i)));
            }
            RaftServer follower = c.follower();
            NodeId id = follower.id();
            follower.close();
            RaftServer restarted = c.start(id);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!text(await(restarted.readStale(new byte[0]))).contains("e9,") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(text(await(restarted.readStale(new byte[0])))).startsWith("e0,e1,").contains("e9,");
        }
    }

    @Test
    void leadershipTransferHandsOverToTheChosenFollower() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            await(leader.propose(utf8("x")));
            RaftServer target = c.follower();
            await(leader.transferLeadership(target.id()));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (target.status().role() != Role.LEADER && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(target.status().role()).isEqualTo(Role.LEADER);
            await(target.propose(utf8("y")));
        }
    }

    @Test
    void aLogStoreIoFailureStopsTheNodeLoudlyAndFailsPendingRequests() throws Exception {
        FailingStore failing = new FailingStore();
        try (TestCluster c = new TestCluster(1, id -> failing)) {
            RaftServer only = c.awaitLeader();
            await(only.propose(utf8("durable")));
            failing.failNext = true;
            assertThatThrownBy(() -> await(only.propose(utf8("lost"))))
                    .hasCauseInstanceOf(NodeStoppedException.class)
                    .hasMessageContaining("disk full");
            assertThat(only.status().running()).isFalse();
            assertThat(only.status().failure()).hasValueSatisfying(f -> assertThat(f).contains("log store I/O failure").contains("disk full"));
            assertThatThrownBy(() -> await(only.propose(utf8("after"))))
                    .hasCauseInstanceOf(NodeStoppedException.class);
        }
    }

    @Test
    void requestsTimeOutWithAnUnknownOutcomeWhenNoQuorumAnswers() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            await(leader.propose(utf8("x")));
            for (RaftServer s : c.servers.values()) {
                if (s != leader) {
                    s.close();
                }
            }
            CompletableFuture<byte[]> stuck = leader.propose(utf8("y"));
            assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfAny(RequestTimeoutException.class, NotLeaderException.class)
                    .satisfies(e -> {
                        if (e instanceof RequestTimeoutException t) {
                            assertThat(t.certainlyNotApplied()).isFalse();
                        }
                    });
        }
    }

    /** A memory store that throws, like a full disk, when told to. */
    private static final class FailingStore implements LogStore {
        private final MemoryLogStore delegate = new MemoryLogStore();
        volatile boolean failNext;

        @Override
        public void append(List<LogEntry> entries) throws IOException {
            if (failNext) {
                throw new IOException("No space left on device (disk full)");
            }
            delegate.append(entries);
        }

        @Override
        public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
            return delegate.entries(fromIndex, toIndex, maxBytes);
        }

        @Override
        public long term(long index) {
            return delegate.term(index);
        }

        @Override
        public long firstIndex() {
            return delegate.firstIndex();
        }

        @Override
        public long lastIndex() {
            return delegate.lastIndex();
        }

        @Override
        public void saveHardState(HardState state) {
            delegate.saveHardState(state);
        }

        @Override
        public HardState loadHardState() {
            return delegate.loadHardState();
        }

        @Override
        public void compact(long index) {
            delegate.compact(index);
        }

        @Override
        public void reset(long index, long term) {
            delegate.reset(index, term);
        }

        @Override
        public void close() {
        }
    }

    // ---------------------------------------------------------------- the API's edges (found in review)

    /** A one-node cluster on a memory log store with {@code machine}, not started. */
    private static RaftServer singleNode(LogStore store, StateMachine machine, Transport transport) {
        NodeId id = NodeId.of("n1");
        RaftServerBuilder b = RaftServer.builder().self(id).cluster(ClusterConfig.ofVoters(List.of(id))).logStore(store).stateMachine(machine);
        if (transport != null) {
            b.transport(transport);
        } else {
            b.transport("memory", null).resources(Resources.EMPTY.with(MemoryNetwork.class, new MemoryNetwork("edge-" + System.nanoTime())));
        }
        return b.build();
    }

    private static void awaitLeader(RaftServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.status().role() != Role.LEADER && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void theCallerMayReuseItsCommandArrayOnceProposeReturns() throws Exception {
        MemoryLogStore store = new MemoryLogStore();
        try (RaftServer server = singleNode(store, new TestCluster.Appender(), null)) {
            server.start();
            awaitLeader(server);
            byte[] buffer = utf8("add 1");
            CompletableFuture<byte[]> done = server.propose(buffer);
            java.util.Arrays.fill(buffer, (byte) '9'); // before and after the write: neither may leak in
            await(done);
            assertThat(text(await(server.read(new byte[0])))).isEqualTo("add 1,");
            LogEntry stored = store.entries(store.lastIndex(), store.lastIndex(), Long.MAX_VALUE).get(0);
            assertThat(text(stored.payload())).as("what followers would be sent").isEqualTo("add 1");
        }
    }

    @Test
    void aQueryThatThrowsFailsItsOwnReadAndTheNodeGoesOn() throws Exception {
        StateMachine picky = new TestCluster.Appender() {
            @Override
            public synchronized byte[] query(byte[] query) {
                if (query.length == 0) {
                    throw new IllegalArgumentException("empty query");
                }
                return super.query(query);
            }
        };
        try (RaftServer server = singleNode(new MemoryLogStore(), picky, null)) {
            server.start();
            awaitLeader(server);
            await(server.propose(utf8("a")));
            for (CompletableFuture<byte[]> bad : List.of(server.read(new byte[0]), server.readStale(new byte[0]))) {
                assertThatThrownBy(() -> await(bad)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty query");
            }
            assertThat(server.status().running()).isTrue();
            assertThat(text(await(server.read(utf8("q"))))).isEqualTo("a,");
        }
    }

    @Test
    void nullCommandsAndQueriesAreRefusedInTheCallersThread() throws Exception {
        try (RaftServer server = singleNode(new MemoryLogStore(), new TestCluster.Appender(), null)) {
            server.start();
            assertThatThrownBy(() -> server.propose(null)).isInstanceOf(NullPointerException.class).hasMessage("command");
            assertThatThrownBy(() -> server.read(null)).isInstanceOf(NullPointerException.class).hasMessage("query");
            assertThat(server.status().running()).isTrue();
        }
    }

    @Test
    void anApplyThatThrowsStopsTheNodeNamingTheStateMachineAndTheIndex() throws Exception {
        StateMachine broken = new TestCluster.Appender() {
            @Override
            public synchronized byte[] apply(long index, byte[] command) {
                throw new IllegalStateException("boom");
            }
        };
        try (RaftServer server = singleNode(new MemoryLogStore(), broken, null)) {
            server.start();
            awaitLeader(server);
            assertThatThrownBy(() -> await(server.propose(utf8("x")))).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NodeStoppedException.class);
            assertThat(server.status().running()).isFalse();
            assertThat(server.status().failure()).hasValueSatisfying(f ->
                    assertThat(f).startsWith("the state machine threw in apply at index 2").contains("boom"));
        }
    }

    @Test
    void aServerStartsOnceAndRequestsBeforeStartAreCertainlyNotApplied() throws Exception {
        RaftServer server = singleNode(new MemoryLogStore(), new TestCluster.Appender(), null);
        assertThatThrownBy(() -> await(server.propose(utf8("early")))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NodeStoppedException.class)
                .matches(e -> ((RaftException) e).certainlyNotApplied(), "certainly not applied");
        server.start();
        server.close();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("starts once");
    }

    @Test
    void aTransportThatCannotStartLeavesTheServerStoppedNotHalfRunning() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        Transport refusing = new Transport() {
            @Override
            public void start(java.util.function.Consumer<io.raftkit.api.message.RaftMessage> inbound) throws IOException {
                throw new IOException("Address already in use");
            }

            @Override
            public void send(io.raftkit.api.message.RaftMessage message) {
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        RaftServer server = singleNode(new MemoryLogStore(), new TestCluster.Appender(), refusing);
        assertThatThrownBy(server::start).isInstanceOf(IOException.class).hasMessageContaining("Address already in use");
        assertThat(server.status().running()).isFalse();
        assertThat(server.status().failure()).hasValueSatisfying(f -> assertThat(f).contains("Address already in use"));
        assertThat(closed).as("whatever part of the transport started is closed").isTrue();
        assertThatThrownBy(() -> await(server.propose(utf8("x")))).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NodeStoppedException.class);
        server.close();
    }

    @Test
    void addressesGivenForSomeMembersOnlyAreRefusedNamingTheMissingOne() {
        NodeId n1 = NodeId.of("n1");
        assertThatThrownBy(() -> RaftServer.builder().self(n1).cluster(ClusterConfig.ofVoters("n1", "n2"))
                .addresses(java.util.Map.of(n1, "127.0.0.1:7001")).transport("memory", null).logStore(new MemoryLogStore())
                .stateMachine(new TestCluster.Appender()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("addresses: no address for n2; give every member's");
    }
}
