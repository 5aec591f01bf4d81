package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.runner.Recorded;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions recorded by the runner's types and written by its HistoryWriter, as JSONL and as EDN
 * (micro-ops as lists of strings and numbers, no :key), check the same way: the format a future
 * list-append workload would write needs no new parser.
 */
class ListAppendHistoryFormatsTest {

    @TempDir
    Path dir;

    private static List<Object> mop(String f, String key, Object value) {
        return Arrays.asList(f, key, value);
    }

    @Test
    void aStaleReadWrittenAsJsonlAndAsEdnIsTheSameGSingleRealtime() throws Exception {
        List<Recorded> events = new ArrayList<>();
        long i = 0;
        events.add(new Recorded(i, i++, 0, "invoke", "txn", null, List.of(mop("append", "x", 1L)), null));
        events.add(new Recorded(i, i++, 0, "ok", "txn", null, List.of(mop("append", "x", 1L)), null));
        events.add(new Recorded(i, i++, "nemesis", "info", "start", null, "partition", null));
        events.add(new Recorded(i, i++, 1, "invoke", "txn", null, List.of(mop("r", "x", null)), null));
        events.add(new Recorded(i, i++, 1, "ok", "txn", null, List.of(mop("r", "x", List.of())), null));
        events.add(new Recorded(i, i++, 2, "invoke", "txn", null, List.of(mop("r", "x", null), mop("append", "y", 5L)), null));
        events.add(new Recorded(i, i++, 2, "info", "txn", null, List.of(mop("r", "x", null), mop("append", "y", 5L)), "timeout"));
        events.add(new Recorded(i, i++, 3, "invoke", "txn", null, List.of(mop("r", "x", null)), null));
        events.add(new Recorded(i, i, 3, "ok", "txn", null, List.of(mop("r", "x", List.of(1L))), null));
        Path jsonl = dir.resolve("history.jsonl");
        Path edn = dir.resolve("history.edn");
        HistoryWriter.writeJsonl(events, jsonl);
        HistoryWriter.writeEdn(events, edn);

        ListAppendResult fromJson = new ListAppendChecker().check(jsonl);
        ListAppendResult fromEdn = new ListAppendChecker().check(edn);
        assertThat(fromJson.anomalyClasses()).as(String.join("\n", fromJson.explain())).containsExactly("G-single-realtime");
        assertThat(fromEdn.detail()).isEqualTo(fromJson.detail());
        assertThat(fromJson.explain().get(0)).contains("T3 read \"x\" as [], without 1, which T0 appended next");
    }
}
