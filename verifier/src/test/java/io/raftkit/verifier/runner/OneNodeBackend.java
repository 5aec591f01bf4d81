package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.NetworkState;
import java.util.List;
import java.util.Optional;

/** A "cluster" of one node at a fixed endpoint, with no faults to inject: for tests of the runner's own logic. */
record OneNodeBackend(String endpoint, Optional<String> leader) implements ClusterBackend {

    @Override
    public List<String> nodes() {
        return List.of("n1");
    }

    @Override
    public String endpoint(String node) {
        return endpoint;
    }

    @Override
    public void start() {
    }

    @Override
    public void kill(String node) {
    }

    @Override
    public void crash(String node) {
    }

    @Override
    public void restart(String node) {
    }

    @Override
    public void pause(String node) {
    }

    @Override
    public void resume(String node) {
    }

    @Override
    public void network(NetworkState state) {
    }

    @Override
    public void close() {
    }
}
