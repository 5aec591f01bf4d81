package io.raftkit.core.fault;

import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportProvider;

/**
 * The {@code fault-injecting} transport: another transport (option {@code inner}, default
 * {@code vertx-tcp}) behind {@link FaultRules}. The rules come from the config's resources when the
 * host lends them, and change through the loopback admin endpoint when option {@code admin-port}
 * is set (the verifier's local backend does both); otherwise nothing is ever dropped.
 */
public final class FaultInjectingTransportProvider implements TransportProvider {

    public static final String NAME = "fault-injecting";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "wraps another transport (option inner) and drops or delays messages on command, for fault-injection tests";
    }

    @Override
    public Transport create(TransportConfig config) {
        String innerName = config.options().string("inner", "vertx-tcp");
        if (innerName.equals(NAME)) {
            throw new IllegalArgumentException("option inner = " + NAME + " would wrap itself; name a real transport");
        }
        // The rest of the options are the inner transport's, which checks them itself.
        Transport inner = Plugins.transport(innerName).create(new TransportConfig(config.self(), config.clusterId(), config.addresses(),
                config.options().without(java.util.Set.of("inner", "admin-port")), config.resources()));
        FaultRules rules = config.resources().get(FaultRules.class).orElseGet(FaultRules::new);
        int adminPort = config.options().intValue("admin-port", 0, 0, 65535);
        FaultAdminServer admin = null;
        if (config.options().get("admin-port").isPresent()) {
            try {
                admin = new FaultAdminServer(adminPort, rules);
            } catch (java.io.IOException e) {
                inner.close();
                throw new IllegalArgumentException("option admin-port = " + adminPort + ": cannot listen on 127.0.0.1: " + e.getMessage(), e);
            }
        }
        return new FaultInjectingTransport(inner, rules, admin);
    }
}
