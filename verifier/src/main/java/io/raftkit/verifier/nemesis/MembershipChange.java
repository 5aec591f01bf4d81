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
    }

    /** The nemesis adds a learner itself when a joining node has not been added after this long (its own request may be lost). */
    static final long ADD_AFTER_NANOS = 8_000_000_000L;

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
        step = "promote " + id;
        untilOk(leader -> api.promote(leader, id));
    }

    private void replace() throws GiveUp, IOException, InterruptedException {
        String old = cluster.memberId(node);
        step = "wipe " + old;
        hands.wipe(node);
        join(freshId);
        step = "promote " + freshId;
        untilOk(leader -> api.promote(leader, freshId));
        step = "remove " + old;
        untilOk(leader -> api.remove(leader, old));
    }

    /** Starts the node empty in its slot and waits until the leader lists it (as a learner, most likely). */
    private void join(String id) throws GiveUp, IOException, InterruptedException {
        step = "join " + id;
        String via = cluster.leader().orElseGet(() -> cluster.nodes().stream().filter(n -> !n.equals(node)).findFirst().orElseThrow());
        hands.join(node, id, via);
        long joined = System.nanoTime();
        boolean added = false;
        while (true) {
            checkTime();
            Optional<String> leader = cluster.leader();
            Optional<View> view = leader.flatMap(l -> api.view(cluster.endpoint(l)));
            if (view.isPresent() && view.get().member(id).isPresent()) {
                return;
            }
            if (leader.isPresent() && !added && System.nanoTime() - joined > ADD_AFTER_NANOS) {
                last = api.add(cluster.endpoint(leader.get()), id, cluster.raftAddress(node), cluster.httpUrl(node));
                added = last.ok();
            } else if (leader.isEmpty()) {
                last = new Reply(Reply.NO_ANSWER, "no node names a leader");
            } else {
                last = new Reply(Reply.NO_ANSWER, id + " not listed yet");
            }
            Thread.sleep(retryMillis);
        }
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
