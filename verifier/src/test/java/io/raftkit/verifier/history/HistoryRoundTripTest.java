package io.raftkit.verifier.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.runner.Recorded;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void jsonlAndEdnReadBackToTheSameEvents() throws Exception {
        List<Recorded> events = List.of(
                new Recorded(0, 10, 0, "invoke", "cas", "k\"1", List.of("a", "b"), null),
                new Recorded(1, 20, "nemesis", "info", "start", null, "partition halves [n1] | [n2]", null),
                new Recorded(2, 30, 0, "info", "cas", "k\"1", List.of("a", "b"), "timeout: no answer\nin 2 s"),
                new Recorded(3, 40, 10, "invoke", "read", "k\"1", null, null),
                new Recorded(4, 50, 10, "ok", "read", "k\"1", "b", null));
        Path jsonl = dir.resolve("history.jsonl");
        Path edn = dir.resolve("history.edn");
        HistoryWriter.writeJsonl(events, jsonl);
        HistoryWriter.writeEdn(events, edn);
        Object fromJson = HistoryFiles.read(jsonl);
        Object fromEdn = HistoryFiles.read(edn);
        assertThat(fromEdn).isEqualTo(fromJson);
        assertThat((List<?>) fromJson).hasSize(5);
        assertThat(fromJson.toString()).contains(":process :nemesis").contains(":value [\"a\" \"b\"]").contains(":key \"k\\\"1\"");
    }
}
