package io.raftkit.core.fault;

import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportProvider;
import java.io.IOException;
import java.util.Set;

/**
 * The {@code network-faults} transport: another transport (option {@code inner}, default
 * {@code vertx-tcp}) behind both kinds of network fault the verifier injects: partitions (a
 * {@link FaultInjectingTransport} and its {@link FaultRules}) and packet loss, duplication, delay and
 * reordering (a {@link PacketFaultTransport}). The partition rules come from the config's resources
 * when the host lends a {@link FaultRules}, so the host can make the rest of its traffic obey the
 * same cut (the KV server's forwarding does). Rules change through one loopback admin endpoint when
 * option {@code admin-port} is set; option {@code seed} seeds the packet faults' random choices.
 * Without an admin endpoint or lent rules nothing is ever dropped.
 */
public final class NetworkFaultsTransportProvider implements TransportProvider {

    public static final String NAME = "network-faults";
    private static final Set<String> OWN = Set.of("inner", "admin-port", "seed");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "wraps another transport (option inner) with partitions, packet loss, duplication and delay set on command,"
                + " for fault-injection tests";
    }

    @Override
    public Transport create(TransportConfig config) {
        String innerName = config.options().string("inner", "vertx-tcp");
        if (innerName.equals(NAME) || innerName.equals(FaultInjectingTransportProvider.NAME)) {
            throw new IllegalArgumentException("option inner = " + innerName + " would wrap fault injection in itself;"
                    + " name a real transport");
        }
        int adminPort = config.options().intValue("admin-port", 0, 0, 65535);
        long seed = config.options().longValue("seed", config.self().value().hashCode(), Long.MIN_VALUE, Long.MAX_VALUE);
        Transport inner = Plugins.transport(innerName).create(new TransportConfig(config.self(), config.addresses(),
                config.options().without(OWN), config.resources()));
        FaultRules rules = config.resources().get(FaultRules.class).orElseGet(FaultRules::new);
        PacketFaultTransport packets = new PacketFaultTransport(inner, seed);
        if (config.options().get("admin-port").isPresent()) {
            try {
                packets.attach(new NetworkFaultsAdminServer(adminPort, rules, packets));
            } catch (IOException e) {
                inner.close();
                throw new IllegalArgumentException("option admin-port = " + adminPort + ": cannot listen on 127.0.0.1: " + e.getMessage(), e);
            }
        }
        return new FaultInjectingTransport(packets, rules);
    }
}
