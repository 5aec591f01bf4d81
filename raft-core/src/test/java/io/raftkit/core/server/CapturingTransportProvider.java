package io.raftkit.core.server;

import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.api.spi.TransportProvider;
import java.util.function.Consumer;

/** A test transport plugin that keeps the config it was created with and lets a test deliver messages. */
public final class CapturingTransportProvider implements TransportProvider {

    static volatile TransportConfig lastConfig;
    static volatile Consumer<RaftMessage> lastInbound;

    @Override
    public String name() {
        return "capturing";
    }

    @Override
    public Transport create(TransportConfig config) {
        lastConfig = config;
        return new Transport() {
            @Override
            public void start(Consumer<RaftMessage> inbound) {
                lastInbound = inbound;
            }

            @Override
            public void send(RaftMessage message) {
            }

            @Override
            public void close() {
            }
        };
    }
}
