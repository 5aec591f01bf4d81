package io.raftkit.benchmarks.cluster;

import io.raftkit.api.spi.Resources;

/** Objects some transports need shared between the three servers (the event bus needs one Vertx). */
final class SharedResources {

    private SharedResources() {
    }

    static Resources addFor(String transport, Resources resources) {
        return resources;
    }

    static void release(Resources resources) {
    }
}
