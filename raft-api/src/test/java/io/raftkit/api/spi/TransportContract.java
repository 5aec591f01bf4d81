package io.raftkit.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.ReadRoundAck;
import io.raftkit.api.message.ReadIndexReply;
import io.raftkit.api.message.ReadIndexRequest;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.message.VoteReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Transport} must do. A plugin's test extends this class and builds a set of
 * transports that can reach each other; the contract starts them and exchanges real messages.
 */
public abstract class TransportContract {

    protected static final NodeId A = NodeId.of("a");
    protected static final NodeId B = NodeId.of("b");
    protected static final NodeId C = NodeId.of("c");

    private final Map<NodeId, Transport> transports = new ConcurrentHashMap<>();
    private final Map<NodeId, List<RaftMessage>> received = new ConcurrentHashMap<>();

    /** Transports for {@code ids}, not started, each able to reach the others. */
    protected abstract Map<NodeId, Transport> create(List<NodeId> ids) throws Exception;

    /** How long delivery may take on this transport. */
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(10);
    }

    @BeforeEach
    void startTransports() throws Exception {
        transports.putAll(create(List.of(A, B, C)));
        for (Map.Entry<NodeId, Transport> e : transports.entrySet()) {
            List<RaftMessage> inbox = new CopyOnWriteArrayList<>();
            received.put(e.getKey(), inbox);
            e.getValue().start(inbox::add);
        }
    }

    @AfterEach
    void closeTransports() {
        transports.values().forEach(Transport::close);
    }

    protected static List<RaftMessage> oneOfEachType(NodeId from, NodeId to) {
        List<LogEntry> entries = List.of(
                LogEntry.command(5, 2, new byte[] {1, 2, 3}),
                LogEntry.noOp(6, 2),
                LogEntry.command(7, 2, new byte[0]));
        return List.of(
                new RequestVote(from, to, 3, 10, 2, true, false),
                new RequestVote(from, to, 4, 10, 2, false, true),
                new VoteReply(from, to, 4, true, false),
                new AppendEntries(from, to, 2, 4, 1, entries, 3, 17),
                new AppendEntries(from, to, 2, 7, 2, List.of(), 7, 18),
                new AppendReply(from, to, 2, true, 7, 0, 0, 17, 6),
                new AppendReply(from, to, 2, false, 0, 1, 3, 18, 9),
                new ReadRoundAck(from, to, 2, 19),
                new TimeoutNow(from, to, 2),
                new ReadIndexRequest(from, to, 2, 99),
                new ReadIndexReply(from, to, 2, 99, true, 7));
    }

    private void awaitReceived(NodeId node, int count) throws InterruptedException {
        long deadline = System.nanoTime() + deliveryTimeout().toNanos();
        while (received.get(node).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void deliversEveryMessageTypeIntact() throws Exception {
        List<RaftMessage> sent = oneOfEachType(A, B);
        for (RaftMessage m : sent) {
            transports.get(A).send(m);
        }
        awaitReceived(B, sent.size());
        assertThat(received.get(B)).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(received.get(A)).isEmpty();
        assertThat(received.get(C)).isEmpty();
    }

    @Test
    void deliversToEachPeerOnlyItsOwnMessages() throws Exception {
        transports.get(A).send(new TimeoutNow(A, B, 1));
        transports.get(A).send(new TimeoutNow(A, C, 2));
        transports.get(C).send(new TimeoutNow(C, A, 3));
        awaitReceived(B, 1);
        awaitReceived(C, 1);
        awaitReceived(A, 1);
        assertThat(received.get(B)).containsExactly(new TimeoutNow(A, B, 1));
        assertThat(received.get(C)).containsExactly(new TimeoutNow(A, C, 2));
        assertThat(received.get(A)).containsExactly(new TimeoutNow(C, A, 3));
    }

    @Test
    void manyMessagesArriveWithoutLossOnAHealthyLink() throws Exception {
        int count = 5_000;
        List<RaftMessage> sent = new ArrayList<>();
        // The link first: a transport may queue (boundedly) while it connects, and drop beyond that.
        RaftMessage probe = new TimeoutNow(A, B, 1);
        sent.add(probe);
        transports.get(A).send(probe);
        awaitReceived(B, 1);
        for (int i = 0; i < count; i++) {
            RaftMessage m = new AppendReply(A, B, 1, true, i, 0, 0, i, i);
            sent.add(m);
            transports.get(A).send(m);
            if (i % 256 == 255) {
                // A bounded queue may drop under a burst; the contract is no loss when paced. Paced by
                // progress, not by time: on a loaded machine a millisecond per 256 outran the link.
                awaitReceived(B, sent.size() - 1024);
            }
        }
        awaitReceived(B, sent.size());
        assertThat(received.get(B)).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void sendingToAnUnknownOrUnreachablePeerNeitherThrowsNorBlocks() {
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            transports.get(A).send(new TimeoutNow(A, NodeId.of("nobody"), 1));
        }
        transports.get(C).close();
        for (int i = 0; i < 1000; i++) {
            transports.get(A).send(new TimeoutNow(A, C, 1));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void sendingAfterCloseNeitherThrowsNorDeliversAndCloseIsIdempotent() throws Exception {
        transports.get(A).close();
        transports.get(A).close();
        transports.get(A).send(new TimeoutNow(A, B, 1));
        Thread.sleep(200);
        assertThat(received.get(B)).isEmpty();
    }
}
