package io.raftkit.api.spi;

import io.raftkit.api.NodeId;
import java.util.Objects;

/** What a state machine needs to know. */
public record StateMachineConfig(NodeId self, Options options, Resources resources) {

    public StateMachineConfig {
        Objects.requireNonNull(self, "self");
        options = options == null ? Options.EMPTY : options;
        resources = resources == null ? Resources.EMPTY : resources;
    }
}
