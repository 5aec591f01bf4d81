package io.raftkit.core;

/** The role a peer plays in its current term (§5.1). PRE_CANDIDATE runs the PreVote round (thesis §9.6). */
public enum Role {
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
