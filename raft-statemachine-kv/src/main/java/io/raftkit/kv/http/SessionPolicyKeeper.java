package io.raftkit.kv.http;

import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.SessionPolicy;
import io.raftkit.kv.SessionStamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts this node's configured session policy into the log, so the TTL and capacity every replica
 * uses are replicated state rather than each node's own settings. A leader proposes it ahead of its
 * first write of a term whenever the applied policy differs; proposals from one node keep their
 * order in the log, so that write and every later one are judged by it. With different settings
 * on different nodes, the latest leader's win, on every replica alike.
 */
final class SessionPolicyKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(SessionPolicyKeeper.class);
    private static final long NO_TERM = -1;

    private final RaftServer raft;
    private final KvStateMachine kv;
    private final SessionPolicy configured;
    private long proposedInTerm = NO_TERM;

    SessionPolicyKeeper(RaftServer raft, KvStateMachine kv, SessionPolicy configured) {
        this.raft = raft;
        this.kv = kv;
        this.configured = configured;
    }

    /** Called by the leader before it proposes a write; nearly free once the policy is applied. */
    void beforeWrite(long term) {
        if (!applied()) {
            proposeOnce(term);
        }
    }

    private boolean applied() {
        return kv.sessionPolicy().filter(configured::equals).isPresent();
    }

    /**
     * Synchronized: a write that another thread proposes meanwhile waits here, so it cannot enter the
     * log ahead of the policy.
     */
    private synchronized void proposeOnce(long term) {
        if (applied() || proposedInTerm == term) {
            return;
        }
        proposedInTerm = term;
        byte[] command = KvCodec.encode(new KvCommand.SetSessionPolicy(SessionStamp.anonymous(System.currentTimeMillis()), configured));
        raft.propose(command).whenComplete((result, failure) -> {
            if (failure != null) {
                LOG.info("proposing the session policy {} in term {} failed ({}); the first write of a later term proposes it again",
                        configured, term, failure.getMessage());
            } else {
                LOG.info("session policy {} is in the log from term {}", configured, term);
            }
        });
    }
}
