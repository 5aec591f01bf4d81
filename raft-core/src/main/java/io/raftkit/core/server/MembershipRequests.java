package io.raftkit.core.server;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.core.ProposeResult;
import io.raftkit.core.RaftNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The driver's side of membership changes (thesis §4.3): turns an operator's request into a target
 * configuration, hands it to the node, and completes the request once C(new) is committed. Loop
 * thread only; the node does the protocol, this only keeps the futures.
 */
final class MembershipRequests {

    /** A change whose first entry is at {@code index} of {@code term}, done when {@code target} is committed. */
    private record Pending(ClusterConfig target, long index, long term,
                           CompletableFuture<ClusterConfig> future, long deadlineNanos) {
    }

    private final TransportPeers peers;
    private final List<Pending> pending = new ArrayList<>();

    MembershipRequests(TransportPeers peers) {
        this.peers = peers;
    }

    /** Adds {@code id} as a learner, with its transport {@code address} (null when the transport needs none). */
    static UnaryOperator<ClusterConfig> addLearner(NodeId id, String address) {
        return c -> {
            if (c.members().contains(id)) {
                throw new MembershipRefusedException("node " + id + " is already a member (" + role(c, id) + ")");
            }
            ClusterConfig next = new ClusterConfig(c.voters(), plus(c.learners(), id), Set.of(), c.addresses());
            return address == null ? next : next.withAddresses(java.util.Map.of(id, address));
        };
    }

    static UnaryOperator<ClusterConfig> promote(NodeId id) {
        return c -> {
            if (!c.learners().contains(id)) {
                throw new MembershipRefusedException("node " + id + " is not a learner ("
                        + (c.members().contains(id) ? role(c, id) : "unknown node") + "); add it as a learner first");
            }
            return new ClusterConfig(plus(c.voters(), id), minus(c.learners(), id), Set.of(), c.addresses());
        };
    }

    static UnaryOperator<ClusterConfig> remove(NodeId id) {
        return c -> {
            if (!c.members().contains(id)) {
                throw new MembershipRefusedException("node " + id + " is not a member (unknown node); members: " + c.members());
            }
            if (c.voters().equals(Set.of(id))) {
                throw new MembershipRefusedException("node " + id + " is the only voter; add and promote another first");
            }
            return new ClusterConfig(minus(c.voters(), id), minus(c.learners(), id), Set.of(), c.addresses());
        };
    }

    /** Runs on the loop: computes the target from the node's configuration and proposes it. */
    void start(RaftNode node, UnaryOperator<ClusterConfig> change, NodeId newMember, String address,
               CompletableFuture<ClusterConfig> future, long deadlineNanos) {
        if (node.role() != io.raftkit.core.Role.LEADER) {
            future.completeExceptionally(new NotLeaderException(node.leader()));
            return;
        }
        ClusterConfig target;
        try {
            target = change.apply(node.cluster().leaveJoint());
        } catch (MembershipRefusedException e) {
            future.completeExceptionally(e);
            return;
        } catch (IllegalArgumentException e) {
            future.completeExceptionally(new MembershipRefusedException(e.getMessage()));
            return;
        }
        if (newMember != null && address != null) {
            // Asked here first so that a transport that cannot add peers refuses the change before
            // anything is appended; the driver tells it again, like every node's, when the entry is.
            try {
                peers.add(newMember, address);
            } catch (RuntimeException e) {
                future.completeExceptionally(new MembershipRefusedException("the transport cannot reach " + newMember
                        + " at " + address + ": " + e.getMessage()));
                return;
            }
        }
        // A change accepted now replaces the configuration: one whose C(new) committed in this very
        // turn must be completed first, or it would wait for a configuration that is gone.
        completeCommitted(node);
        ProposeResult result = node.proposeConfiguration(target);
        if (result instanceof ProposeResult.Accepted accepted) {
            pending.add(new Pending(target, accepted.index(), accepted.term(), future, deadlineNanos));
        } else if (result instanceof ProposeResult.NotLeader notLeader) {
            future.completeExceptionally(new NotLeaderException(notLeader.leaderHint()));
        } else if (result instanceof ProposeResult.Rejected rejected) {
            future.completeExceptionally(new MembershipRefusedException(rejected.reason()));
        } else {
            throw new AssertionError("unhandled " + result);
        }
    }

    /** After each turn: complete the changes whose C(new) is committed, fail those overwritten or late. */
    void check(RaftNode node, long nowNanos, long timeoutMillis) {
        completeCommitted(node);
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (nowNanos - p.deadlineNanos() > 0) {
                it.remove();
                p.future().completeExceptionally(new RequestTimeoutException("membership change", timeoutMillis));
            }
        }
    }

    private void completeCommitted(RaftNode node) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            long termThere = node.termAt(p.index());
            if (sameMembers(node.cluster(), p.target()) && node.commitIndex() >= node.configurationIndex()
                    && node.configurationIndex() >= p.index() && (termThere == p.term() || termThere < 0)) {
                it.remove();
                p.future().complete(node.cluster());
            } else if (termThere != p.term() && termThere >= 0) {
                it.remove(); // a newer leader's entry replaced it (§5.3): the change never took effect
                p.future().completeExceptionally(new ProposalDroppedException(p.index(), p.term()));
            }
        }
    }

    void failAll(RuntimeException cause) {
        for (Pending p : pending) {
            p.future().completeExceptionally(cause);
        }
        pending.clear();
    }

    private static boolean sameMembers(ClusterConfig a, ClusterConfig b) {
        return a.voters().equals(b.voters()) && a.learners().equals(b.learners()) && a.isJoint() == b.isJoint();
    }

    private static String role(ClusterConfig c, NodeId id) {
        return c.learners().contains(id) ? "a learner" : "a voter";
    }

    private static Set<NodeId> plus(Set<NodeId> s, NodeId id) {
        TreeSet<NodeId> out = new TreeSet<>(s);
        out.add(id);
        return out;
    }

    private static Set<NodeId> minus(Set<NodeId> s, NodeId id) {
        TreeSet<NodeId> out = new TreeSet<>(s);
        out.remove(id);
        return out;
    }
}
