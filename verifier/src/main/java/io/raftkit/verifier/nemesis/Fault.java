package io.raftkit.verifier.nemesis;

import java.util.Arrays;
import java.util.Locale;

/**
 * The kinds of fault a run may inject, chosen with {@code --nemesis partition,kill,pause,crash,network,membership}.
 * Each injection picks its shape and victims from the seed (see {@link FaultPlanner}).
 */
public enum Fault {
    /** A cut of all traffic between two sides (or one way), Raft and client forwarding alike. */
    PARTITION,
    /** {@code kill -9} of one node, the leader, a minority, a majority or all; restarted at the end of the fault. */
    KILL,
    /** SIGSTOP of one node, the leader, a minority or a majority. */
    PAUSE,
    /** A power loss of a minority, a majority or all: the log store drops what it did not sync, then the process dies. */
    CRASH,
    /** Packet loss, duplication, delay and reordering on every link. */
    NETWORK,
    /**
     * A membership change: a node removed, wiped and joining again empty; a node replaced by a fresh
     * one under a new id; the leadership moved ({@link MembershipPlan}). Local and Docker backends only.
     */
    MEMBERSHIP;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Fault parse(String name) {
        for (Fault f : values()) {
            if (f.name().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown nemesis '" + name + "': choose from "
                + String.join(", ", Arrays.stream(values()).map(Fault::word).toList()));
    }
}
