package io.raftkit.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.core.Mutant;
import io.raftkit.core.MutantScope;
import io.raftkit.core.RaftNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, bug 3: a follower catching up over a slow link with one AppendEntries in flight, whose
 * replies arrive late and twice, must not make the leader send more and more. On 2dc2366 duplicate
 * replies with a full window dropped the follower to probing, stale successes switched it back,
 * heartbeats anchored past what it had acknowledged were rejected, and every reply sent again:
 * the AppendEntries per simulated second to it grew with each second while it gained a few entries.
 */
class CatchUpTrafficTest {

    /** Every message takes two ticks (20 ms) to arrive; every AppendReply arrives twice. */
    private static final int LATENCY_TICKS = 2;

    @Test
    void aFollowerCatchingUpOverASlowDuplicatingLinkCostsAFewMessagesPerEntry() {
        Harness h = new Harness(3, 0, RaftConfig.builder().electionTimeoutTicks(10, 20).heartbeatIntervalTicks(2)
                .maxEntriesPerAppend(1).maxInflightAppends(1).build());
        h.elect("n1");
        h.partition(List.of("n3"));
        for (int i = 0; i < 200; i++) {
            h.propose("n1", "v" + i);
            h.deliverAll();
        }
        h.heal();
        h.inFlight.clear();

        List<List<RaftMessage>> pipe = new ArrayList<>();
        for (int i = 0; i < LATENCY_TICKS; i++) {
            pipe.add(new ArrayList<>());
        }
        long[] appendsPerSecond = new long[10];
        RaftNode n3 = h.node("n3");
        for (int tick = 0; tick < 1000; tick++) {
            // What was sent LATENCY_TICKS ago arrives now; what arrives causes more, sent now.
            List<RaftMessage> arriving = pipe.remove(0);
            pipe.add(new ArrayList<>());
            for (RaftMessage m : arriving) {
                h.node(m.to().value()).step(m);
                if (m instanceof AppendReply && m.from().equals(NodeId.of("n3"))) {
                    h.node(m.to().value()).step(m); // the network duplicated it
                }
            }
            h.nodes.values().forEach(n -> n.tick());
            h.nodes.values().forEach(h::process);
            for (RaftMessage m : h.inFlight) {
                if (m instanceof AppendEntries && m.to().equals(NodeId.of("n3"))) {
                    appendsPerSecond[tick / 100]++;
                }
                pipe.get(LATENCY_TICKS - 1).add(m);
            }
            h.inFlight.clear();
            if (appendsPerSecond[tick / 100] > 10_000) {
                break; // a storm: the assertion below says so (and the heap is spared)
            }
        }

        // Catching up 200 entries one at a time over a 40 ms round trip takes about 8 s; heartbeats
        // add 50 a second. Anything near a thousand a second is a storm.
        for (int second = 0; second < appendsPerSecond.length; second++) {
            assertThat(appendsPerSecond[second]).as("AppendEntries to n3 in second %d of %s", second,
                    java.util.Arrays.toString(appendsPerSecond)).isLessThan(200);
        }
        assertThat(n3.lastIndex()).as("n3 caught up").isEqualTo(h.node("n1").lastIndex());
    }

    /** The test bites: with the old reply handling put back, the same run is a storm. */
    @Test
    void onTheOldReplyHandlingTheSameRunIsAStorm() throws Exception {
        MutantScope.with(Mutant.STALE_REPLIES_TRUSTED, () -> assertThatThrownBy(
                this::aFollowerCatchingUpOverASlowDuplicatingLinkCostsAFewMessagesPerEntry)
                .isInstanceOf(AssertionError.class).hasMessageContaining("AppendEntries to n3 in second"));
    }
}
