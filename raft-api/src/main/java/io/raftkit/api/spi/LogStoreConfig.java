package io.raftkit.api.spi;

import io.raftkit.api.NodeId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a log store needs to know.
 *
 * @param self      this node; a durable store refuses a directory written by another node
 * @param clusterId the cluster's name; a durable store refuses a directory of another cluster
 * @param dataDir   where a durable store keeps its files (ignored by the memory store; may be null there)
 */
public record LogStoreConfig(NodeId self, String clusterId, Path dataDir, Options options, Resources resources) {

    public LogStoreConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(clusterId, "clusterId");
        options = options == null ? Options.EMPTY : options;
        resources = resources == null ? Resources.EMPTY : resources;
    }
}
