package io.raftkit.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.server.RaftServer;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, bug 4: a stored commit index above the stored log's end means the store lost entries
 * this node knew to be committed. On 2dc2366 the node lowered its commit index and started, hiding
 * the loss; it must refuse, naming both indexes (and the driver, the store).
 */
class RaftNodeStartTest {

    private static final NodeId N1 = NodeId.of("n1");

    @Test
    void aStoredCommitIndexAboveTheLogsEndIsRefusedNamingBothIndexes() {
        List<LogEntry> log = List.of(LogEntry.noOp(1, 1), LogEntry.command(2, 1, new byte[] {1}));
        assertThatThrownBy(() -> new RaftNode(N1, ClusterConfig.ofVoters("n1", "n2", "n3"), RaftConfig.defaults(),
                new SplittableRandom(1), new HardState(1, null, 5), log, 0, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("commit index 5").hasMessageContaining("last index 2");
    }

    @Test
    void aServerOnAStoreThatLostCommittedEntriesRefusesToStartNamingTheStore() throws IOException {
        MemoryLogStore store = new MemoryLogStore();
        store.append(List.of(LogEntry.noOp(1, 1)));
        store.saveHardState(new HardState(1, N1, 3));
        RaftServer server = RaftServer.builder().self(N1).cluster(ClusterConfig.ofVoters("n1"))
                .transport("memory", null).logStore(store).stateMachine(new StateMachine() {
                    @Override
                    public byte[] apply(long index, byte[] command) {
                        return null;
                    }

                    @Override
                    public byte[] query(byte[] query) {
                        return null;
                    }
                }).build();
        try {
            assertThatThrownBy(server::start).isInstanceOf(IOException.class)
                    .hasMessageContaining("log store memory (entries 1..1)")
                    .hasMessageContaining("commit index 3").hasMessageContaining("last index 1");
        } finally {
            server.close();
        }
    }
}
