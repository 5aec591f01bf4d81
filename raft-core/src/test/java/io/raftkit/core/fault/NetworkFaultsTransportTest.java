package io.raftkit.core.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.core.memory.MemoryNetwork;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class NetworkFaultsTransportTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final MemoryNetwork network = new MemoryNetwork("network-faults-test");
    private final List<RaftMessage> atB = new CopyOnWriteArrayList<>();

    private Transport create(NodeId self, Map<String, String> options, FaultRules rules) {
        Resources resources = Resources.EMPTY.with(MemoryNetwork.class, network);
        if (rules != null) {
            resources = resources.with(FaultRules.class, rules);
        }
        Map<String, String> all = new HashMap<>(options);
        all.put("inner", "memory");
        return new NetworkFaultsTransportProvider().create(new TransportConfig(self, Map.of(A, "a", B, "b"), Options.of(all), resources));
    }

    private static HttpResponse<String> put(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void lossDuplicationDelayAndPartitionsAllComeFromOneAdminEndpoint() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        FaultRules lent = new FaultRules();
        try (Transport a = create(A, Map.of("admin-port", Integer.toString(port)), lent); Transport b = create(B, Map.of(), null)) {
            a.start(m -> { });
            b.start(atB::add);
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port + "/faults";

            assertThat(put(http, base + "?lossPercent=100").statusCode()).isEqualTo(200);
            a.send(new TimeoutNow(A, B, 1));
            assertThat(put(http, base + "?duplicatePercent=100").statusCode()).isEqualTo(200);
            a.send(new TimeoutNow(A, B, 2));
            assertThat(atB).extracting(RaftMessage::term).containsExactly(2L, 2L);

            assertThat(put(http, base + "?dropTo=b").statusCode()).isEqualTo(200);
            assertThat(lent.current().dropTo()).as("the host's lent rules carry the cut").containsExactly(B);
            a.send(new TimeoutNow(A, B, 3));

            assertThat(put(http, base + "?delayMillis=150&jitterMillis=50").statusCode()).isEqualTo(200);
            long sent = System.nanoTime();
            a.send(new TimeoutNow(A, B, 4));
            while (atB.size() < 3 && System.nanoTime() - sent < 5_000_000_000L) {
                Thread.sleep(5);
            }
            assertThat(atB).extracting(RaftMessage::term).containsExactly(2L, 2L, 4L);
            assertThat((System.nanoTime() - sent) / 1_000_000).isBetween(140L, 2_000L);

            HttpResponse<String> bad = put(http, base + "?lossPercent=120");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("lossPercent = 120 is out of range");
            assertThat(put(http, base + "?loss=1").body()).contains("unknown parameter 'loss'");
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.body()).contains("delayMillis=150").contains("lost=1 duplicated=1");
        }
    }

    @Test
    void wrappingFaultInjectionInsideItselfIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NetworkFaultsTransportProvider().create(new TransportConfig(A,
                Map.of(A, "a"), Options.of(Map.of("inner", "fault-injecting")), Resources.EMPTY)))
                .hasMessageContaining("name a real transport");
    }
}
