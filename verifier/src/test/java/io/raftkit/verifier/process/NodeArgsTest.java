package io.raftkit.verifier.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeArgsTest {

    private static final NodeArgs N2 = new NodeArgs("n2", Map.of("n1", "127.0.0.1:7001", "n2", "127.0.0.1:7002"), Path.of("/tmp/d/n2"),
            8002, 9002, 1000);

    @Test
    void theArgumentsANodeIsStartedWithParseBackToTheSameSettings() {
        assertThat(NodeArgs.parse(N2.toArgs().toArray(String[]::new), name -> null)).isEqualTo(N2);
    }

    @Test
    void aNodeStartedWithNoArgumentsReadsItsSettingsFromTheEnvironment() {
        assertThat(NodeArgs.parse(new String[0], N2.toEnvironment()::get)).isEqualTo(N2);
    }

    @Test
    void aMissingOrBadSettingIsRefusedNamingIt() {
        assertThatThrownBy(() -> NodeArgs.parse(new String[] {"--id", "n1"}, name -> null))
                .hasMessageContaining("--peers").hasMessageContaining("RAFTKIT_VERIFY_PEERS");
        Map<String, String> env = new java.util.HashMap<>(N2.toEnvironment());
        env.put("RAFTKIT_VERIFY_CLIENT_PORT", "eighty");
        assertThatThrownBy(() -> NodeArgs.parse(new String[0], env::get)).hasMessageContaining("--client-port").hasMessageContaining("eighty");
        assertThatThrownBy(() -> NodeArgs.parse(new String[] {"--id", "n3", "--peers", "n1=h:1"}, N2.toEnvironment()::get))
                .hasMessageContaining("does not name this node");
        assertThatThrownBy(() -> NodeArgs.parse(new String[] {"--colour", "red"}, name -> null)).hasMessageContaining("--colour");
    }
}
