package io.raftkit.transport.vertx.eventbus;

import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportProvider;

/** Registers {@code vertx-eventbus}: Raft over the host's (local or clustered) Vert.x event bus. */
public final class VertxEventBusTransportProvider implements TransportProvider {

    public static final String NAME = "vertx-eventbus";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Vert.x event bus: one address per node on the host's Vertx (Resources), local or clustered";
    }

    @Override
    public Transport create(TransportConfig config) {
        return new VertxEventBusTransport(config);
    }
}
