package io.raftkit.core;

/**
 * Bugs this core once had, kept so that a test can put each one back and show that the simulator
 * finds it from seeds alone (docs/testing.md lists how many seeds each needed). Production never
 * activates one: the only writer is {@link #activate}, called by the simulator's tests.
 */
public enum Mutant {

    /** None: the node as designed. */
    NONE,
    /**
     * Issue 15, bug 1: a read joins a read round that AppendEntries already carried before the
     * read arrived, so acknowledgements to those earlier messages confirm it (a stale read).
     */
    READ_JOINS_CARRIED_ROUND,
    /**
     * Issue 15, bug 2: a leader's AppendEntries leave before its new term is durable, so a crash
     * lets it win the same term again and write a different entry at the same index and term.
     */
    APPEND_BEFORE_TERM_DURABLE,
    /**
     * Issue 15, bug 3: stale and duplicate AppendReplies are taken as news: a duplicate with a
     * full window drops the follower to probing, every rejection resets it, every reply sends
     * again, and heartbeats anchored past what the follower acknowledged are rejected.
     */
    STALE_REPLIES_TRUSTED,
    /**
     * Found by the simulator after issue 15's fixes (seed 122): a follower's rejection of an
     * AppendEntries from an older term echoed that message's read round in a reply of the
     * follower's term. A leader elected in that term after a restart (its rounds count from 0
     * again) took the old, high round as an acknowledgement and confirmed reads with a stale index.
     */
    STALE_TERM_REJECTION_ACKS,
    /**
     * Found by the simulator after issue 15's fixes (seed 43): the driver numbered reads from 1 in
     * every incarnation, so the late answer to a read forwarded before a crash confirmed a new read
     * with the same id, at an old read index.
     */
    READ_IDS_RESTART_AT_ONE,
    /**
     * Issue 20 (a liveness bug): a node that granted a PreVote went on with its own campaign, so two
     * nodes pre-voting together granted each other, both became candidates in one term and split it:
     * fresh clusters elected in term 2 or later.
     */
    PRE_VOTES_RACE,
    /**
     * Issue 16 (planted): a follower that installs a leader's snapshot replacing its log resets the
     * log but leaves its state machine as it was, so its state differs from every other replica's
     * at the same applied command.
     */
    INSTALL_SKIPS_RESTORE,
    /**
     * Issue 16 (planted): a node restarting after a crash between a snapshot's install and its
     * log's reset trusts the log as it is, so the log does not reach the snapshot it starts from.
     */
    RESTART_SKIPS_LOG_RESET,
    /**
     * Issue 17 (planted): while joint, entries are counted committed on a majority of the new
     * voters alone, so the old voters, still a quorum of their own, can elect a leader that lacks them.
     */
    JOINT_COMMITS_WITH_NEW_MAJORITY,
    /**
     * Issue 16 (planted, bounded log memory): a follower that deletes a conflicting suffix keeps
     * the deleted entries' terms in the per-term index, so the terms it reports for the entries
     * that replace them (in consistency checks, conflict hints and votes) can be the deleted ones'.
     */
    TERM_INDEX_KEPT_ON_TRUNCATION,
    /**
     * Issue 16 (planted, bounded log memory): a leader sends the entries a LogStore read returned
     * without checking them against its log: an answer that was overtaken (the follower's next index
     * moved, the log was compacted, another term began) is sent as if it were still what was asked.
     */
    LOG_READ_ANSWER_TRUSTED,
    /**
     * Issue 20 (found by seed 32 once read rounds rode on the leader's appends): a follower that
     * caught up through AppendEntries while a snapshot was on its way, and streams again, answers
     * the install; the leader moves its matchIndex to the snapshot's end but sends nothing after it,
     * and since nothing is in flight no AppendReply comes to send it either.
     */
    INSTALL_REPLY_SENDS_NOTHING;

    private static volatile Mutant active = NONE;

    /** Puts {@code mutant} back (tests only); {@link #NONE} restores the node as designed. */
    public static void activate(Mutant mutant) {
        active = mutant;
    }

    /** Whether {@code mutant} is put back (the driver checks too, from another package). */
    public static boolean isActive(Mutant mutant) {
        return active == mutant;
    }
}
