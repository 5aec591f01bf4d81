package io.raftkit.kv.members;

import io.raftkit.api.NodeId;
import java.util.Objects;

/**
 * Where a member is reached: its Raft transport address ({@code host:port}) and its HTTP base URL
 * ({@code http://host:port}). Either may be null when no one told this node.
 */
public record Member(NodeId id, String raft, String http) {

    public Member {
        Objects.requireNonNull(id, "id");
    }
}
