package io.raftkit.core;

import io.raftkit.api.NodeId;
import java.util.Optional;

/**
 * A read registered as {@code requestId} cannot be confirmed here: this peer lost leadership or
 * knows no leader. The caller may retry, at {@code leaderHint} when known.
 */
public record ReadFailure(long requestId, Optional<NodeId> leaderHint) {
}
