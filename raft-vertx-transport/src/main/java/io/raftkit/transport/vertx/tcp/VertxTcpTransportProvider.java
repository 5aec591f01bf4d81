package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportProvider;

/** Registers {@code vertx-tcp}: Raft over Vert.x NetServer/NetClient with binary frames and optional mutual TLS. */
public final class VertxTcpTransportProvider implements TransportProvider {

    public static final String NAME = "vertx-tcp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Vert.x TCP: binary frames, per-peer bounded queues, reconnect with backoff, optional mutual TLS";
    }

    @Override
    public Transport create(TransportConfig config) {
        return new VertxTcpTransport(config);
    }
}
