package io.raftkit.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.LogEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationLogTest {

    private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");
    private static final ClusterConfig FOUR = ClusterConfig.ofVoters("n1", "n2", "n3", "n4");
    private static final ClusterConfig JOINT = THREE.jointWith(FOUR);

    private static List<LogEntry> log() {
        return List.of(LogEntry.noOp(1, 1), LogEntry.configuration(2, 1, JOINT), LogEntry.command(3, 1, new byte[] {1}),
                LogEntry.configuration(4, 1, FOUR));
    }

    @Test
    void theNewestConfigurationInTheLogRulesAndEachIndexKnowsTheOneInForceThere() {
        ConfigurationLog c = new ConfigurationLog(THREE, 0, log());
        assertThat(c.current()).isEqualTo(FOUR);
        assertThat(c.currentIndex()).isEqualTo(4);
        assertThat(c.at(1)).as("what a snapshot ending at 1 carries").isEqualTo(THREE);
        assertThat(c.at(3)).as("what a snapshot ending at 3 carries").isEqualTo(JOINT);
    }

    @Test
    void aTruncatedConfigurationRollsBackToTheOneBeforeIt() {
        ConfigurationLog c = new ConfigurationLog(THREE, 0, log());
        // A leader of term 2 replaced everything from index 3 with its own entries.
        List<LogEntry> after = List.of(LogEntry.noOp(3, 2));
        c.replaced(3, after, i -> i <= 2 ? 1 : i == 3 ? 2 : 0);
        assertThat(c.current()).isEqualTo(JOINT);
        c.replaced(2, List.of(LogEntry.noOp(2, 3)), i -> i == 1 ? 1 : i == 2 ? 3 : 0);
        assertThat(c.current()).isEqualTo(THREE);
        assertThat(c.currentIndex()).isZero();
    }

    @Test
    void compactionFoldsTheConfigurationThereIntoTheBaseAndASnapshotReplacesAll() {
        ConfigurationLog c = new ConfigurationLog(THREE, 0, log());
        c.compacted(3);
        assertThat(c.at(3)).isEqualTo(JOINT);
        assertThat(c.current()).isEqualTo(FOUR);
        ClusterConfig moved = FOUR.withAddresses(Map.of(io.raftkit.api.NodeId.of("n4"), "h4:7000"));
        c.reset(10, moved);
        assertThat(c.current()).isEqualTo(moved);
        assertThat(c.currentIndex()).isEqualTo(10);
        assertThat(c.current().addresses()).containsEntry(io.raftkit.api.NodeId.of("n4"), "h4:7000");
    }
}
