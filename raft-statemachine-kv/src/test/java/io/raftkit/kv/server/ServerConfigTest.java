package io.raftkit.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.RaftConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    private static Map<String, String> valid() {
        Map<String, String> s = new HashMap<>();
        s.put("id", "n1");
        s.put("peers", "n1=127.0.0.1:7001,127.0.0.1:8001;n2=127.0.0.1:7002,127.0.0.1:8002;n3=127.0.0.1:7003,127.0.0.1:8003");
        s.put("data-dir", "/tmp/x");
        return s;
    }

    @Test
    void defaultsAreVertxTcpAndMapdbWithTheIssuesLimits() {
        ServerConfig c = ServerConfig.from(valid());
        assertThat(c.transport()).isEqualTo("vertx-tcp");
        assertThat(c.logStore()).isEqualTo("mapdb");
        assertThat(c.limits().maxKeyBytes()).isEqualTo(1024);
        assertThat(c.limits().maxValueBytes()).isEqualTo(1024 * 1024);
        assertThat(c.self().http().port()).isEqualTo(8001);
        assertThat(c.peers()).hasSize(3);
    }

    @Test
    void pluginOptionsArePassedByPrefix() {
        Map<String, String> s = valid();
        s.put("transport.queue-size", "500");
        s.put("log-store.segment-mb", "16");
        ServerConfig c = ServerConfig.from(s);
        assertThat(c.transportOptions().get("queue-size")).contains("500");
        assertThat(c.logStoreOptions().get("segment-mb")).contains("16");
    }

    @Test
    void anIdMissingFromThePeersIsRefusedNamingIt() {
        Map<String, String> s = valid();
        s.put("id", "n9");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("n9").hasMessageContaining("peers");
    }

    @Test
    void aMalformedPeerIsRefusedNamingIt() {
        Map<String, String> s = valid();
        s.put("peers", "n1=127.0.0.1:7001");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("peer 'n1=127.0.0.1:7001'");
    }

    @Test
    void anAddressGivenTwiceIsRefusedNamingBothUses() {
        Map<String, String> s = valid();
        s.put("peers", "n1=127.0.0.1:7001,127.0.0.1:7001");
        s.put("id", "n1");
        assertThatThrownBy(() -> ServerConfig.from(s))
                .hasMessage("peers: 127.0.0.1:7001 is both n1's raft address and n1's http address; every member needs its own raft and http address");
        s.put("peers", "n1=127.0.0.1:7001,127.0.0.1:8001;n2=127.0.0.1:7001,127.0.0.1:8002");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("is both n1's raft address and n2's raft address");
    }

    @Test
    void aBadPortIsRefusedNamingThePeer() {
        Map<String, String> s = valid();
        s.put("peers", "n1=127.0.0.1:70001,127.0.0.1:8001");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("n1").hasMessageContaining("1 to 65535");
    }

    @Test
    void anUnknownSettingIsRefusedNamingIt() {
        Map<String, String> s = valid();
        s.put("tick-millis", "10");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("unknown setting 'tick-millis'");
    }

    @Test
    void aNonNumericLimitIsRefusedNamingIt() {
        Map<String, String> s = valid();
        s.put("max-value-bytes", "lots");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("max-value-bytes");
    }

    @Test
    void raftSettingsReachTheRaftConfigAndOutOfRangeOnesAreRefused() {
        Map<String, String> s = valid();
        s.put("heartbeat-ticks", "4");
        s.put("max-inflight-appends", "2");
        ServerConfig c = ServerConfig.from(s);
        assertThat(c.raftConfig().heartbeatIntervalTicks()).isEqualTo(4);
        assertThat(c.raftConfig().maxInflightAppends()).isEqualTo(2);
        assertThat(ServerConfig.from(valid()).raftConfig().maxInflightAppends()).isEqualTo(8);
        RaftConfig defaults = ServerConfig.from(valid()).raftConfig();
        assertThat(defaults.electionTimeoutMinTicks()).isEqualTo(50);
        assertThat(defaults.electionTimeoutMaxTicks()).isEqualTo(100);
        assertThat(defaults.heartbeatIntervalTicks()).isEqualTo(10);
        Map<String, String> shorter = valid();
        shorter.put("election-timeout-ticks", "5..10"); // the heartbeat follows unless given
        assertThat(ServerConfig.from(shorter).raftConfig().heartbeatIntervalTicks()).isEqualTo(1);
        s.put("max-inflight-appends", "0");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("max-inflight-appends");
    }

    @Test
    void bindHostIsForHttpAndVertxTcpUnlessTheTransportSaysOtherwise() {
        Map<String, String> s = valid();
        assertThat(ServerConfig.from(s).bindHost()).isEmpty();
        s.put("bind-host", "0.0.0.0");
        ServerConfig c = ServerConfig.from(s);
        assertThat(c.bindHost()).contains("0.0.0.0");
        assertThat(c.transportOptions().get("bind-host")).contains("0.0.0.0");
        s.put("transport.bind-host", "10.0.0.5");
        assertThat(ServerConfig.from(s).transportOptions().get("bind-host")).contains("10.0.0.5");
        s.remove("transport.bind-host");
        s.put("transport", "memory"); // a transport that does not listen gets no option it would refuse
        assertThat(ServerConfig.from(s).transportOptions().values()).isEmpty();
        s.put("bind-host", " ");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("bind-host is empty");
    }

    @Test
    void vertxTcpIsToldTheClusterIdTheSecretFileAndWhetherPeersMayBeInsecure() {
        Map<String, String> s = valid();
        assertThat(ServerConfig.from(s).transportOptions().get("cluster-id")).contains("raftkit");
        s.put("cluster-id", "blue");
        s.put("peer-secret-file", "/etc/raft-kv/peer-secret");
        ServerConfig c = ServerConfig.from(s);
        assertThat(c.transportOptions().get("cluster-id")).contains("blue");
        assertThat(c.transportOptions().get("secret-file")).contains("/etc/raft-kv/peer-secret");
        s.remove("peer-secret-file");
        s.put("insecure-peers", "true");
        assertThat(ServerConfig.from(s).transportOptions().get("insecure-peers")).contains("true");
        s.put("transport", "memory");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("insecure-peers")
                .hasMessageContaining("not of 'memory'");
        s.remove("insecure-peers");
        assertThat(ServerConfig.from(s).transportOptions().values()).isEmpty();
    }

    @Test
    void aFaultInjectingWrapperAroundVertxTcpPassesItThePeerSettings() {
        Map<String, String> s = valid();
        s.put("transport", "network-faults");
        s.put("insecure-peers", "true");
        ServerConfig c = ServerConfig.from(s);
        assertThat(c.transportOptions().get("insecure-peers")).contains("true");
        assertThat(c.transportOptions().get("cluster-id")).contains("raftkit");
        s.put("bind-host", "0.0.0.0");
        assertThat(ServerConfig.from(s).transportOptions().get("bind-host")).contains("0.0.0.0");
        s.remove("bind-host");
        s.put("transport.inner", "memory");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("insecure-peers")
                .hasMessageContaining("not of 'network-faults'");
    }

    @Test
    void aDurableStoreWithoutDataDirIsRefused() {
        Map<String, String> s = valid();
        s.remove("data-dir");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("data-dir is required");
    }

    @Test
    void aPropertiesFileIsReadAndAMissingFileIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("n1.properties");
        Files.writeString(file, "id=n1\npeers=n1=127.0.0.1:7001,127.0.0.1:8001\nlog-store=memory\n");
        assertThat(ServerConfig.from(ServerConfig.readFile(file)).logStore()).isEqualTo("memory");
        assertThatThrownBy(() -> ServerConfig.readFile(dir.resolve("nope.properties"))).hasMessageContaining("nope.properties");
    }

    @Test
    void aKeyLimitAboveWhatARequestLineCarriesIsRefusedNamingTheBound() {
        Map<String, String> s = valid();
        s.put("max-key-bytes", "65536");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("max-key-bytes").hasMessageContaining("8192");
        s.put("max-key-bytes", "8192");
        assertThat(ServerConfig.from(s).limits().maxRequestLineChars()).isEqualTo(3 * 8192 + 512);
    }

    @Test
    void sessionAndConnectionSettingsReachThePolicyAndTheLimits() {
        Map<String, String> s = valid();
        s.put("session-ttl-ms", "60000");
        s.put("session-capacity", "1234");
        s.put("http-max-connections", "500");
        s.put("http-max-connections-per-address", "50");
        s.put("http-header-timeout-ms", "2000");
        s.put("http-body-timeout-ms", "3000");
        s.put("request-timeout-ms", "4000");
        ServerConfig c = ServerConfig.from(s);
        assertThat(c.sessionPolicy()).isEqualTo(new io.raftkit.kv.SessionPolicy(60_000, 1234));
        assertThat(c.limits().maxConnections()).isEqualTo(500);
        assertThat(c.limits().maxConnectionsPerAddress()).isEqualTo(50);
        assertThat(c.limits().headerTimeoutMillis()).isEqualTo(2_000);
        assertThat(c.limits().bodyTimeoutMillis()).isEqualTo(3_000);
        assertThat(c.limits().forwardTimeoutMillis()).as("a follower waits no longer than the leader would").isEqualTo(4_000);
    }

    @Test
    void aPerAddressCapAboveTheTotalIsRefused() {
        Map<String, String> s = valid();
        s.put("http-max-connections", "10");
        s.put("http-max-connections-per-address", "20");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("http-max-connections-per-address (20)");
    }

    @Test
    void snapshotPolicyFlagsAreOptionalAndTheStoreDefaultsToMapdbBesideTheLogStore() {
        ServerConfig c = ServerConfig.from(valid());
        assertThat(c.snapshots().everyEntries()).isEmpty();
        assertThat(c.snapshots().everyBytes()).isEmpty();
        assertThat(c.snapshots().minLogPercent()).isEmpty();
        assertThat(c.snapshots().keepTail()).isEmpty();
        assertThat(c.snapshots().store()).isEqualTo("mapdb");
        Map<String, String> memory = valid();
        memory.remove("data-dir");
        memory.put("log-store", "memory");
        assertThat(ServerConfig.from(memory).snapshots().store()).as("no data dir: nowhere for mapdb").isEqualTo("memory");
    }

    @Test
    void snapshotFlagsAreReadWithTheirStoreOptions() {
        Map<String, String> s = valid();
        s.put("snapshot-every-entries", "5000");
        s.put("snapshot-every-bytes", "1048576");
        s.put("snapshot-min-log-percent", "25");
        s.put("snapshot-keep-tail", "0");
        s.put("snapshot-store", "memory");
        s.put("snapshot-store.kept", "3");
        SnapshotSettings c = ServerConfig.from(s).snapshots();
        assertThat(c.everyEntries()).hasValue(5000);
        assertThat(c.everyBytes()).hasValue(1_048_576);
        assertThat(c.minLogPercent()).hasValue(25);
        assertThat(c.policy(io.raftkit.core.server.SnapshotPolicy.DEFAULT).minLogFraction()).isEqualTo(0.25);
        assertThat(c.keepTail()).hasValue(0);
        assertThat(c.store()).isEqualTo("memory");
        assertThat(c.storeOptions().get("kept")).contains("3");
        assertThat(c.given()).containsExactly("--snapshot-every-entries 5000", "--snapshot-every-bytes 1048576",
                "--snapshot-min-log-percent 25", "--snapshot-keep-tail 0");
    }

    @Test
    void badSnapshotFlagsAreRefusedNamingTheFlagAndTheAllowedRange() {
        for (String[] bad : new String[][] {
                {"snapshot-every-entries", "0", "snapshot-every-entries = 0 is out of range: allowed 1 to 1000000000"},
                {"snapshot-every-entries", "many", "snapshot-every-entries = 'many' is not a whole number"},
                {"snapshot-every-bytes", "100", "snapshot-every-bytes = 100 is out of range: allowed 1024 to 1099511627776"},
                {"snapshot-keep-tail", "-1", "snapshot-keep-tail = -1 is out of range: allowed 0 to 1000000000"},
                {"snapshot-min-log-percent", "10001", "snapshot-min-log-percent = 10001 is out of range: allowed 0 to 10000"},
                {"snapshot-store", " ", "snapshot-store is empty"}}) {
            Map<String, String> s = valid();
            s.put(bad[0], bad[1]);
            assertThatThrownBy(() -> ServerConfig.from(s)).as(bad[0] + "=" + bad[1]).hasMessageContaining(bad[2]);
        }
        Map<String, String> noDir = valid();
        noDir.remove("data-dir");
        noDir.put("log-store", "memory");
        noDir.put("snapshot-store", "mapdb");
        assertThatThrownBy(() -> ServerConfig.from(noDir)).hasMessageContaining("data-dir is required for the 'mapdb' snapshot store");
    }

    @Test
    void aValueLimitThatASnapshotRecordCouldNotHoldIsRefused() {
        // A data record is the value plus version and indexes: the largest value must leave room
        // for them under the snapshot stream's record limit, or one big value stops every snapshot.
        long largest = io.raftkit.api.snapshot.SnapshotStreamFormat.MAX_VALUE_BYTES - io.raftkit.kv.KvSnapshotRecords.DATA_HEADER_BYTES;
        Map<String, String> fits = valid();
        fits.put("max-value-bytes", Long.toString(largest));
        fits.put("max-body-bytes", Long.toString(2 * largest));
        assertThat(ServerConfig.from(fits).limits().maxValueBytes()).isEqualTo(largest);
        Map<String, String> over = valid();
        over.put("max-value-bytes", Long.toString(64 * 1024 * 1024));
        over.put("max-body-bytes", Long.toString(128 * 1024 * 1024));
        assertThatThrownBy(() -> ServerConfig.from(over)).hasMessageContaining("max-value-bytes = 67108864 is out of range: allowed 0 to " + largest);
    }
}
