package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who a data directory belongs to and how it is laid out, kept in the MapDB file beside the log so
 * it commits atomically with it. Checked on every open: a node must never come back with a log
 * that is not its own (another node's or another cluster's), nor read a format it does not know.
 */
final class StoreMetadata {

    /** Bumped whenever the stored layout changes incompatibly; older builds refuse newer files. */
    static final int FORMAT_VERSION = 1;

    static final String FORMAT_KEY = "format-version";
    static final String CLUSTER_KEY = "cluster-id";
    static final String NODE_KEY = "node-id";
    static final String FIRST_INDEX_KEY = "first-index";
    static final String COMPACTED_TERM_KEY = "compacted-term";

    private StoreMetadata() {
    }

    static void initialise(Map<String, String> meta, String clusterId, String nodeId) {
        meta.put(FORMAT_KEY, Integer.toString(FORMAT_VERSION));
        meta.put(CLUSTER_KEY, clusterId);
        meta.put(NODE_KEY, nodeId);
        meta.put(FIRST_INDEX_KEY, "1");
        meta.put(COMPACTED_TERM_KEY, "0");
    }

    /** Refuses, naming the file and the problem, a directory this node must not use. */
    static void check(Map<String, String> meta, Path file, String clusterId, String nodeId) throws IOException {
        long version = number(meta, FORMAT_KEY, file);
        if (version > FORMAT_VERSION) {
            throw new IOException("log store " + file + " has format version " + version
                    + ", newer than this build reads (" + FORMAT_VERSION + "); upgrade RaftKit, do not delete the directory");
        }
        if (version < 1) {
            throw new IOException("log store " + file + " is corrupt: format version " + version + " is not valid");
        }
        String storedCluster = meta.get(CLUSTER_KEY);
        String storedNode = meta.get(NODE_KEY);
        if (storedCluster == null || storedNode == null) {
            throw new IOException("log store " + file + " is corrupt: its metadata lacks the cluster id or node id");
        }
        if (!storedCluster.equals(clusterId) || !storedNode.equals(nodeId)) {
            throw new IOException("log store " + file + " belongs to node " + storedNode + " of cluster " + storedCluster
                    + ", not to node " + nodeId + " of cluster " + clusterId + "; refusing to use another node's log");
        }
        number(meta, FIRST_INDEX_KEY, file);
        number(meta, COMPACTED_TERM_KEY, file);
    }

    static long number(Map<String, String> meta, String key, Path file) throws IOException {
        String raw = meta.get(key);
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IOException("log store " + file + " is corrupt: metadata " + key + " is '" + raw + "', not a number");
        }
    }
}
