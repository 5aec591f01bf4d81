package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

    @Test
    void aResolvedInfoCompletionMovesToTheMomentItsOutcomeWasLearned() {
        History h = new History();
        h.add(0, "invoke", "write", "k", "1", null);
        Recorded info = h.add(0, "info", "write", "k", "1", "timeout");
        h.add(1, "invoke", "read", "k", null, null);
        h.add(1, "ok", "read", "k", "1", null);
        h.resolve(info, "ok", "1", "resent");
        List<Recorded> events = h.events();
        assertThat(events).extracting(Recorded::type).containsExactly("invoke", "invoke", "ok", "ok");
        assertThat(events).extracting(Recorded::index).containsExactly(0L, 1L, 2L, 3L);
        assertThat(events.get(3).process()).isEqualTo(0);
        assertThat(events.get(3).error()).isEqualTo("resent");
        assertThat(h.counts()).isEqualTo("ok=2 fail=0 info=0");
        assertThatThrownBy(() -> h.resolve(info, "ok", "1", "again")).isInstanceOf(IllegalArgumentException.class);
    }
}
