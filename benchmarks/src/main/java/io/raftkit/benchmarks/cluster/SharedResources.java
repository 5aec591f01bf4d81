package io.raftkit.benchmarks.cluster;

import io.raftkit.api.spi.Resources;
import io.vertx.core.Vertx;

/**
 * Objects some transports need shared between the three servers: the event bus transport rides on
 * one host Vertx, which the tool creates for the run and closes after it.
 */
final class SharedResources {

    private SharedResources() {
    }

    static Resources addFor(String transport, Resources resources) {
        if (transport.equals("vertx-eventbus")) {
            return resources.with(Vertx.class, Vertx.vertx());
        }
        return resources;
    }

    static void release(Resources resources) {
        resources.get(Vertx.class).ifPresent(v -> v.close().toCompletionStage().toCompletableFuture().join());
    }
}
