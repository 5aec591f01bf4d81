package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.spi.Options;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster id the hello names comes from the server (TransportConfig), not a second setting to keep equal. */
class TcpOptionsTest {

    @Test
    void theServersClusterIdIsTakenWhenNoOptionNamesOne() {
        assertThat(TcpOptions.from(Options.EMPTY, "blue").clusterId()).isEqualTo("blue");
        assertThat(TcpOptions.from(Options.of(Map.of("cluster-id", "blue")), "blue").clusterId()).isEqualTo("blue");
    }

    @Test
    void anOptionThatContradictsTheServersClusterIdIsRefusedNamingBoth() {
        assertThatThrownBy(() -> TcpOptions.from(Options.of(Map.of("cluster-id", "green")), "blue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'green'").hasMessageContaining("'blue'");
    }

    @Test
    void aServerOfTheDefaultClusterStillAcceptsTheOptionAlone() {
        // A transport created outside a RaftServer (or by an older host) names its cluster by option.
        assertThat(TcpOptions.from(Options.of(Map.of("cluster-id", "green")), "raftkit").clusterId()).isEqualTo("green");
    }
}
