package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.spi.InboundBacklog;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.StateMachine;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the node's inbox was unbounded. The server lends its transport an {@link InboundBacklog}
 * that says "behind" while more peer messages wait for the loop than the configured limit, so a
 * transport that honours it (vertx-tcp) stops reading and TCP holds the rest at the senders.
 */
class InboxBackpressureTest {

    @Test
    void aLoopThatFallsBehindTellsTheTransportToStopReadingUntilItCatchesUp() throws Exception {
        CountDownLatch applying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StateMachine slow = new StateMachine() {
            @Override
            public byte[] apply(long index, byte[] command) {
                applying.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // the loop is stuck here: a slow state machine
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return command;
            }

            @Override
            public byte[] query(byte[] query) {
                return query;
            }
        };
        RaftServer server = RaftServer.builder().self(NodeId.of("n1")).cluster(ClusterConfig.ofVoters("n1"))
                .transport("capturing", null).logStore("memory", null).stateMachine(slow)
                .maxInboxMessages(5).build();
        try {
            server.start();
            InboundBacklog backlog = CapturingTransportProvider.lastConfig.resources().get(InboundBacklog.class).orElseThrow();
            assertThat(backlog.behind()).as("an idle node").isFalse();
            while (server.status().role() != io.raftkit.core.Role.LEADER) {
                Thread.sleep(10);
            }
            server.propose(new byte[] {1});
            assertThat(applying.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 5; i++) {
                CapturingTransportProvider.lastInbound.accept(new TimeoutNow(NodeId.of("n9"), NodeId.of("n1"), 0));
            }
            assertThat(backlog.behind()).as("5 messages waiting, limit 5").isFalse();
            CapturingTransportProvider.lastInbound.accept(new TimeoutNow(NodeId.of("n9"), NodeId.of("n1"), 0));
            assertThat(backlog.behind()).as("6 messages waiting, limit 5").isTrue();
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backlog.behind() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(backlog.behind()).as("once the loop has stepped them").isFalse();
        } finally {
            release.countDown();
            server.close();
        }
    }

    @Test
    void aBacklogTheHostLentItselfIsKept() throws Exception {
        InboundBacklog own = () -> true;
        RaftServer server = RaftServer.builder().self(NodeId.of("n1")).cluster(ClusterConfig.ofVoters("n1"))
                .transport("capturing", null).logStore("memory", null).stateMachine(new StateMachine() {
                    @Override
                    public byte[] apply(long index, byte[] command) {
                        return command;
                    }

                    @Override
                    public byte[] query(byte[] query) {
                        return query;
                    }
                }).resources(Resources.EMPTY.with(InboundBacklog.class, own)).build();
        server.close();
        assertThat(CapturingTransportProvider.lastConfig.resources().get(InboundBacklog.class)).containsSame(own);
    }
}
