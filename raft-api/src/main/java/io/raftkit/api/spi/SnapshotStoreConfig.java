package io.raftkit.api.spi;

import io.raftkit.api.NodeId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a snapshot store needs to know.
 *
 * @param self      this node; a durable store refuses snapshots written by another node
 * @param clusterId the cluster's name; a durable store refuses snapshots of another cluster
 * @param dataDir   the node's data directory; a durable store keeps its files in a directory of its
 *                  own below it (ignored by in-memory stores; may be null there)
 */
public record SnapshotStoreConfig(NodeId self, String clusterId, Path dataDir, Options options, Resources resources) {

    public SnapshotStoreConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(clusterId, "clusterId");
        options = options == null ? Options.EMPTY : options;
        resources = resources == null ? Resources.EMPTY : resources;
    }
}
