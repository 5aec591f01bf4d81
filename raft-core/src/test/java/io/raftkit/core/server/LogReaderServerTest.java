package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.core.memory.MemoryLogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 on real threads: with a log cache of two entries, a follower back from an outage is
 * served entries the leader no longer holds in memory, read back from its LogStore by the
 * driver's {@link LogReader} on the log writer's thread, while the leader's in-memory log stays small.
 */
class LogReaderServerTest {

    @Test
    void aFollowerBackFromAnOutageCatchesUpFromEntriesTheLeaderReadsBackFromItsStore() throws Exception {
        try (TestCluster c = new TestCluster(3, TestCluster.CONFIG.toBuilder().logCache(2, 1_000).build(),
                id -> new MemoryLogStore())) {
            RaftServer leader = c.awaitLeader();
            NodeId down = c.follower().id();
            c.servers.get(down).close();
            List<CompletableFuture<byte[]>> writes = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                writes.add(leader.propose(("w" + i).getBytes()));
            }
            for (CompletableFuture<byte[]> w : writes) {
                w.get(10, TimeUnit.SECONDS);
            }
            long committed = leader.status().commitIndex();
            assertThat(leader.status().logHeapBytes()).as("the leader's log in memory: a cache of two entries")
                    .isLessThan(10 * (LogLoader.ENTRY_HEAP_OVERHEAD + 10));
            RaftServer back = c.start(down);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (back.status().appliedIndex() < committed && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(back.status().appliedIndex()).as("the returning follower applied everything").isGreaterThanOrEqualTo(committed);
            assertThat(new String(c.machines.get(down).query(new byte[0])))
                    .isEqualTo(new String(c.machines.get(leader.id()).query(new byte[0])));
        }
    }
}
