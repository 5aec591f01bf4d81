package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.NodeStorage;
import java.util.Arrays;
import java.util.Locale;

/**
 * Deliberate bugs, for showing that a verification run catches what it claims to catch: each makes
 * the system under test wrong in one way, and the same run configuration must then report an
 * anomaly. Never for real use.
 */
public enum PlantedBug {
    NONE,
    /** Every read is served from the node's local state ({@code ?consistency=stale}). */
    STALE_READ,
    /** Nodes keep their log in memory: a node that is killed forgets acknowledged writes. */
    LOST_WRITE,
    /**
     * A client that, when a node cannot serve a read (no leader reachable), falls back to that node's
     * local state: under a real partition the minority side keeps answering, with stale data.
     */
    MINORITY_SERVES,
    /** The log store acknowledges appends and votes before they are synced (the crash fault drops them). */
    ACK_BEFORE_FSYNC;

    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static PlantedBug parse(String word) {
        for (PlantedBug b : values()) {
            if (b.word().equals(word.trim())) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown planted bug '" + word + "': choose from "
                + String.join(", ", Arrays.stream(values()).map(PlantedBug::word).toList()));
    }

    /** How the nodes store their log under this bug. */
    public NodeStorage storage() {
        return switch (this) {
            case LOST_WRITE -> new NodeStorage("memory", false);
            case ACK_BEFORE_FSYNC -> new NodeStorage("mapdb", true);
            default -> NodeStorage.DURABLE;
        };
    }
}
