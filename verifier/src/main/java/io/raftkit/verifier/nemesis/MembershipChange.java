package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.MembershipBackend;
import io.raftkit.verifier.nemesis.Members.Reply;
import io.raftkit.verifier.nemesis.Members.View;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One membership change the nemesis makes, step by step, each step retried until it is answered
 * 200 or the change's deadline passes (a change is refused while another is in flight, before the
 * leader has committed an entry of its term, while a learner lags; it stalls without a quorum).
 *
 * <ul>
 *   <li>{@link Kind#REJOIN}: remove the node, wipe its data, start it empty under the same id with
 *       {@code --join}, promote it once it has caught up. The wipe waits for the removal's 200 (C(new)
 *       committed): a voter that forgot its log and its vote while still counted in a quorum would be
 *       a bug of the test, not of the system. A removal that is never answered 200 leaves the node
 *       removed with its data; the final heal adds it back.</li>
 *   <li>{@link Kind#REPLACE}: the node dies for good (killed, data wiped), a fresh node with a fresh id
 *       joins in its slot, is promoted, and the dead id is removed: the operator's runbook.</li>
 *   <li>{@link Kind#MOVE_LEADER}: leadership moves to another voter ({@code POST /v1/leader}).</li>
 * </ul>
 */
final class MembershipChange {

    enum Kind {
        REJOIN, REPLACE, MOVE_LEADER;

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Kind parse(String word) {
            for (Kind k : values()) {
                if (k.word().equals(word.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown membership change '" + word + "': choose from rejoin, replace, move-leader");
        }
    }

    enum Status {
        /** Every step answered 200. */
        DONE,
        /** The last answer before the deadline was a refusal (400, 404, 409). */
        REFUSED,
        /** The deadline passed without an answer, or with 503s (no leader) and timeouts. */
        TIMED_OUT,
        /** The final heal came first. */
        ABORTED;

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** How the change ended, and where. */
    record Outcome(Status status, String detail) {
        @Override
        public String toString() {
            return status.word() + (detail.isBlank() ? "" : ": " + detail);
        }
    }

    /** What changes the cluster itself; the nemesis runs these under its lock, beside its other faults. */
    interface Hands {
        void wipe(String node) throws IOException, InterruptedException;

        void join(String node, String memberId, String via) throws IOException, InterruptedException;

        /** Whether the slot's node has exited by itself: not running, and not held down by a kill or crash fault. */
        boolean exited(String node);
    }


    /** How far behind the leader's commit index a learner may be when it is promoted: well under a second of writes. */
    static final long CATCH_UP_SLACK_ENTRIES = 50;

    private final Kind kind;
    private final String node;
    private final String freshId;
    private final MembershipBackend cluster;
    private final Members api;
    private final Hands hands;
    private final long retryMillis;
    private final BooleanSupplier aborted;
    private final long deadlineNanos;
    private final SplittableRandom random;
    private Reply last = new Reply(Reply.NO_ANSWER, "not asked yet");
    private String step = "start";

    /**
     * @param node    the slot a rejoin or replace works on (ignored by move-leader)
     * @param freshId the replacement's id (replace only)
     */
    MembershipChange(Kind kind, String node, String freshId, MembershipBackend cluster, Members api, Hands hands,
                     long retryMillis, BooleanSupplier aborted, long deadlineNanos, SplittableRandom random) {
        this.kind = kind;
        this.node = node;
        this.freshId = freshId;
        this.cluster = cluster;
        this.api = api;
        this.hands = hands;
        this.retryMillis = retryMillis;
        this.aborted = aborted;
        this.deadlineNanos = deadlineNanos;
        this.random = random;
    }

    /** What the history and the report call it. */
    String describe() {
        return switch (kind) {
            case REJOIN -> "membership rejoin " + cluster.memberId(node) + " (removed, wiped, joins empty, promoted)";
            case REPLACE -> "membership replace " + cluster.memberId(node) + " by " + freshId + " (wiped; the new one joins, is promoted, the old one removed)";
            case MOVE_LEADER -> "membership move-leader";
        };
    }

    /** Thrown to end the change early; carries the outcome. */
    private static final class GiveUp extends Exception {
        final Outcome outcome;

        GiveUp(Outcome outcome) {
            super(outcome.toString(), null, false, false);
            this.outcome = outcome;
        }
    }

    Outcome run() throws InterruptedException {
        try {
            switch (kind) {
                case REJOIN -> rejoin();
                case REPLACE -> replace();
                case MOVE_LEADER -> {
                    return moveLeader();
                }
                default -> throw new AssertionError("unhandled " + kind);
            }
            return new Outcome(Status.DONE, "");
        } catch (GiveUp g) {
            return g.outcome;
        } catch (IOException e) {
            return new Outcome(Status.TIMED_OUT, "at " + step + ": the backend failed: " + e.getMessage());
        }
    }

    private void rejoin() throws GiveUp, IOException, InterruptedException {
        String id = cluster.memberId(node);
        step = "remove " + id;
        untilOk(leader -> api.remove(leader, id));
        step = "wipe " + id;
        hands.wipe(node);
        join(id);
        awaitCaughtUp(id);
        step = "promote " + id;
        untilOk(leader -> api.promote(leader, id));
    }

    private void replace() throws GiveUp, IOException, InterruptedException {
        String old = cluster.memberId(node);
        step = "wipe " + old;
        hands.wipe(node);
        join(freshId);
        awaitCaughtUp(freshId);
        step = "promote " + freshId;
        untilOk(leader -> api.promote(leader, freshId));
        step = "remove " + old;
        untilOk(leader -> api.remove(leader, old));
    }

    /**
     * Starts the node empty in its slot and waits until the leader lists it. The node adds itself; one
     * that exits first is wiped and started again: a joining node gives up when the member it learns
     * the members from does not answer for 30 s (killed, cut off), and one that is not a member holds
     * nothing the cluster needs. (A timer would not do: a JVM took from 3 to 30 s to start here under
     * load, and a restart at 20 s killed nodes that were about to be added.)
     */
    private void join(String id) throws GiveUp, IOException, InterruptedException {
        step = "join " + id;
        hands.join(node, id, via());
        while (true) {
            checkTime();
            Optional<String> leader = cluster.leader();
            Optional<View> view = leader.flatMap(l -> api.view(cluster.endpoint(l)));
            if (view.isPresent() && view.get().member(id).isPresent()) {
                return;
            }
            if (view.isPresent() && hands.exited(node)) {
                hands.wipe(node);
                hands.join(node, id, via());
                last = new Reply(Reply.NO_ANSWER, id + " exited before it was added: started again");
            } else {
                last = new Reply(Reply.NO_ANSWER, leader.isEmpty() ? "no node names a leader" : id + " not listed yet");
            }
            Thread.sleep(retryMillis);
        }
    }

    /** The member to learn the members from: the leader when one is known (it is up and reachable, most likely). */
    private String via() {
        return cluster.leader().filter(l -> !l.equals(node))
                .orElseGet(() -> cluster.nodes().stream().filter(n -> !n.equals(node) && !cluster.vacant(n)).findFirst().orElseThrow());
    }

    /**
     * Waits until the learner in the slot has applied what the leader had committed, less
     * {@link #CATCH_UP_SLACK_ENTRIES}: the nodes accept a promotion up to 1,000 entries behind, and a
     * learner that joined a few seconds ago (or died starting) can be that close in a young cluster;
     * promoted, it would count towards quorums without the log to serve them.
     */
    private void awaitCaughtUp(String id) throws GiveUp, InterruptedException {
        step = "wait for " + id + " to catch up";
        while (true) {
            checkTime();
            if (caughtUp(cluster, api, node)) {
                return;
            }
            last = new Reply(Reply.NO_ANSWER, id + " has not caught up with the leader's commit index yet");
            Thread.sleep(retryMillis);
        }
    }

    static boolean caughtUp(MembershipBackend cluster, Members api, String node) {
        Optional<String> leader = cluster.leader();
        Optional<Members.Progress> lead = leader.flatMap(l -> api.progress(cluster.endpoint(l)));
        Optional<Members.Progress> learner = api.progress(cluster.endpoint(node));
        return lead.isPresent() && learner.isPresent() && learner.get().appliedIndex() + CATCH_UP_SLACK_ENTRIES >= lead.get().commitIndex();
    }

    private Outcome moveLeader() throws GiveUp, InterruptedException {
        step = "find a leader";
        while (true) {
            checkTime();
            Optional<String> leaderSlot = cluster.leader();
            Optional<View> view = leaderSlot.flatMap(l -> api.view(cluster.endpoint(l)));
            if (view.isPresent()) {
                // The member document's leader: the probe's answer may come from a node a term behind.
                String from = view.get().leader().orElse(cluster.memberId(leaderSlot.get()));
                List<String> targets = cluster.nodes().stream().filter(n -> !cluster.vacant(n)).map(cluster::memberId)
                        .filter(id -> !id.equals(from) && view.get().voters().contains(id)).toList();
                if (targets.isEmpty()) {
                    return new Outcome(Status.REFUSED, "no other voter to move the leadership to");
                }
                String to = targets.get(random.nextInt(targets.size()));
                step = "move the leadership from " + from + " to " + to;
                untilOk(leader -> api.transferLeader(leader, to));
                return new Outcome(Status.DONE, from + " -> " + to);
            }
            last = new Reply(Reply.NO_ANSWER, "no leader answers GET /v1/members");
            Thread.sleep(retryMillis);
        }
    }

    /** Sends {@code call} to the leader until it answers 200; gives up on a final refusal or at the deadline. */
    private void untilOk(Function<String, Reply> call) throws GiveUp, InterruptedException {
        while (true) {
            checkTime();
            Optional<String> leader = cluster.leader();
            last = leader.isPresent() ? call.apply(cluster.endpoint(leader.get())) : new Reply(Reply.NO_ANSWER, "no node names a leader");
            if (last.ok()) {
                return;
            }
            if (last.isFinal()) {
                throw new GiveUp(new Outcome(Status.REFUSED, "at " + step + ": " + last));
            }
            Thread.sleep(retryMillis);
        }
    }

    private void checkTime() throws GiveUp {
        if (aborted.getAsBoolean()) {
            throw new GiveUp(new Outcome(Status.ABORTED, "at " + step + " (last: " + last + ")"));
        }
        if (System.nanoTime() >= deadlineNanos) {
            Status status = last.status() == 409 ? Status.REFUSED : Status.TIMED_OUT;
            throw new GiveUp(new Outcome(status, "at " + step + " (last: " + last + ")"));
        }
    }
}
