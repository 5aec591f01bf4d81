package io.raftkit.verifier.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.runner.Recorded;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {

    @Test
    void overlappingFaultsPairByDescriptionNotByOrder() {
        List<Recorded> events = List.of(
                new Recorded(0, 1_000_000_000L, "nemesis", "info", "start", null, "#1 pause one [n2]", null),
                new Recorded(1, 2_000_000_000L, "nemesis", "info", "start", null, "#2 partition one-way n1 -/-> n3", null),
                new Recorded(2, 3_000_000_000L, "nemesis", "info", "stop", null, "#1 pause one [n2]", null),
                new Recorded(3, 5_000_000_000L, "nemesis", "info", "stop", null, "#2 partition one-way n1 -/-> n3", null));
        assertThat(Timeline.faults(events, 6_000_000_000L)).containsExactly(
                new FaultInterval(1_000_000_000L, 3_000_000_000L, "#1 pause one [n2]"),
                new FaultInterval(2_000_000_000L, 5_000_000_000L, "#2 partition one-way n1 -/-> n3"));
    }

    @Test
    void thePageHasATimeAxis() {
        List<Recorded> events = List.of(
                new Recorded(0, 0, 0, "invoke", "write", "k", "1", null),
                new Recorded(1, 10_000_000_000L, 0, "ok", "write", "k", "1", null));
        String html = Timeline.html(events, "valid", -1);
        assertThat(html).contains("time (s)").contains(">0</div>").contains(">5</div>").contains(">10</div>");
    }
}
