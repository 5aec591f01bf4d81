package io.raftkit.kv.server;

import io.raftkit.api.NodeId;

/**
 * One member as the configuration names it: {@code id=raftHost:raftPort,httpHost:httpPort}.
 */
public record Peer(NodeId id, HostPort raft, HostPort http) {

    public static Peer parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("peer '" + text + "' must look like id=raftHost:raftPort,httpHost:httpPort");
        }
        String[] addresses = text.substring(eq + 1).split(",", -1);
        if (addresses.length != 2) {
            throw new IllegalArgumentException("peer '" + text + "' must give two addresses after '=': raftHost:raftPort,httpHost:httpPort");
        }
        NodeId id;
        try {
            id = NodeId.of(text.substring(0, eq).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("peer '" + text + "': " + e.getMessage());
        }
        return new Peer(id, HostPort.parse("peer " + id + " raft address", addresses[0]),
                HostPort.parse("peer " + id + " http address", addresses[1]));
    }

    public String httpUrl() {
        return "http://" + http;
    }

    @Override
    public String toString() {
        return id + "=" + raft + "," + http;
    }
}
