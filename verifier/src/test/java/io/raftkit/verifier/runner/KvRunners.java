package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.kv.KvClient;
import io.raftkit.verifier.kv.KvRegisterWorkload;
import io.raftkit.verifier.kv.KvSetWorkload;
import io.raftkit.verifier.spi.Workload;
import java.io.PrintStream;

/** Runners of the KV store's SPI workloads with the KV client, as {@code raft-verifier run} makes them. */
final class KvRunners {

    private KvRunners() {
    }

    /** The register workload on {@code keys} keys that never move to fresh ones. */
    static Runner register(ClusterBackend cluster, RunOptions options, int keys, PrintStream progress) {
        return of(cluster, options, new KvRegisterWorkload(keys, Integer.MAX_VALUE), progress);
    }

    static Runner set(ClusterBackend cluster, RunOptions options, PrintStream progress) {
        return of(cluster, options, new KvSetWorkload(), progress);
    }

    static Runner of(ClusterBackend cluster, RunOptions options, Workload workload, PrintStream progress) {
        KvClient client = KvClient.forWorkload(workload, options.requestTimeout(), options.staleReads(),
                options.plantedBug() == PlantedBug.MINORITY_SERVES);
        return new Runner(cluster, options, workload, client, progress);
    }
}
