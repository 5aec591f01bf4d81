package io.raftkit.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private final Options options = Options.of(Map.of("queue-size", "10", "inner", "vertx-tcp"));

    @Test
    void aMisspeltOptionIsNamedWithWhatThePluginKnows() {
        assertThatThrownBy(() -> options.requireOnly("vertx-tcp", Set.of("queue-size", "event-loops")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown option 'inner' for vertx-tcp; it knows [event-loops, queue-size]");
        assertThatThrownBy(() -> options.requireOnly("the memory log store", Set.of()))
                .hasMessageContaining("for the memory log store, which takes none");
    }

    @Test
    void knownOptionsPassAndAWrapperCanHandOnTheRest() {
        assertThat(options.requireOnly("fault", Set.of("queue-size", "inner"))).isSameAs(options);
        Options rest = options.without(Set.of("inner"));
        assertThat(rest.values()).containsOnlyKeys("queue-size");
        assertThat(rest.requireOnly("vertx-tcp", Set.of("queue-size"))).isSameAs(rest);
    }

    @Test
    void typedGettersNameTheOptionAndTheRange() {
        assertThat(options.intValue("queue-size", 1, 1, 100)).isEqualTo(10);
        assertThatThrownBy(() -> options.intValue("queue-size", 1, 20, 100))
                .hasMessage("option queue-size = 10 is out of range: allowed 20 to 100");
        assertThatThrownBy(() -> options.longValue("inner", 1, 0, 10)).hasMessageContaining("is not a whole number");
    }
}
