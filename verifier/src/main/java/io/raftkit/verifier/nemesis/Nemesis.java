package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.MembershipBackend;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.backend.PacketFaults;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Injects faults on a schedule drawn from the run's seed, and heals them: each fault lasts a random
 * time (half to one and a half fault intervals), a new one starts a random gap after the previous
 * start, and up to {@value #MAX_ACTIVE} are active at once, so faults overlap: a partition during a
 * kill, packet loss during a pause. Kinds take turns, so every kind asked for is exercised in any
 * run with that many faults; shapes and victims come from the seed ({@link FaultPlanner}).
 *
 * <p>The cluster is always told the combination of every active fault (which nodes are down,
 * stopped, cut off), so healing one fault leaves the others in place. Each fault's start is recorded
 * before it is injected and its stop after it is healed, so the history's fault spans cover the
 * faults whole.
 *
 * <p>A {@link Fault#MEMBERSHIP} fault is a {@link MembershipChange} on a thread of its own (a change
 * takes seconds: a JVM starts, a learner catches up), one at a time; its span lasts until the change
 * is done or has given up, and its outcome is recorded beside it. The final heal aborts a change
 * under way, heals the other faults, then restores the full membership ({@link MembershipRestore}).
 */
public final class Nemesis {

    /** Faults active at once; more than two left too little time in which a quorum could serve. */
    static final int MAX_ACTIVE = 2;

    /**
     * One membership request's patience: longer than the nodes' request timeout (5 s by default), so
     * that a change or transfer that takes that long is answered (504, say) rather than cut off.
     */
    static final Duration MEMBERS_REQUEST_TIMEOUT = Duration.ofSeconds(8);

    /**
     * The final restore may take this many {@code --membership-seconds}: it may have a node to start
     * (a JVM took up to 30 s here under load), a learner to catch up and two joint changes to make.
     */
    static final int RESTORE_TIMEOUTS = 3;

    /** Where the nemesis writes its start and stop events (the run's history). */
    public interface Recorder {
        void record(String f, String description);
    }

    private final ClusterBackend cluster;
    private final List<Fault> faults;
    private final SplittableRandom random;
    private final FaultPlanner planner;
    private final Recorder recorder;
    private final long intervalNanos;
    private final List<ActiveFault> active = new ArrayList<>();
    /** Nodes down now, and whether a crash (true) or a kill put them there. */
    private final Map<String, Boolean> down = new LinkedHashMap<>();
    private final Set<String> paused = new HashSet<>();
    private NetworkState network = NetworkState.HEALED;
    private long nextStartNanos;
    private int injections;
    private final MembershipPlan plan;
    private final Members members;
    private final long retryMillis;
    /** The change under way, or null. */
    private Change change;
    private int changes;
    private int freshIds;
    private final List<String> outcomes = new ArrayList<>();
    private final Map<MembershipChange.Status, Integer> tally = new java.util.EnumMap<>(MembershipChange.Status.class);
    private String restoreFailure;

    /** A membership change on its thread, and its fault span. */
    private static final class Change {
        final ActiveFault fault;
        final Thread thread;
        volatile MembershipChange.Outcome outcome;
        volatile boolean aborted;

        Change(ActiveFault fault, MembershipChange work) {
            this.fault = fault;
            this.thread = new Thread(() -> {
                try {
                    outcome = work.run();
                } catch (InterruptedException e) {
                    outcome = new MembershipChange.Outcome(MembershipChange.Status.ABORTED, "interrupted");
                } catch (RuntimeException e) {
                    outcome = new MembershipChange.Outcome(MembershipChange.Status.TIMED_OUT, "failed: " + e);
                }
            }, "nemesis-membership-" + fault.id());
            thread.setDaemon(true);
        }
    }

    public Nemesis(ClusterBackend cluster, List<Fault> faults, long seed, Duration interval, Recorder recorder) {
        this(cluster, faults, seed, interval, recorder, MembershipPlan.DEFAULT, null, 250);
    }

    public Nemesis(ClusterBackend cluster, List<Fault> faults, long seed, Duration interval, Recorder recorder, MembershipPlan plan) {
        this(cluster, faults, seed, interval, recorder, plan, null, 250);
    }

    /**
     * @param members     the membership API (null: over HTTP, each request given a few seconds)
     * @param retryMillis pause between a membership change's attempts
     */
    Nemesis(ClusterBackend cluster, List<Fault> faults, long seed, Duration interval, Recorder recorder, MembershipPlan plan,
            Members members, long retryMillis) {
        if (faults.contains(Fault.MEMBERSHIP) && !(cluster instanceof MembershipBackend)) {
            throw new IllegalArgumentException("the membership nemesis needs a backend that can replace nodes (local or docker), not "
                    + cluster.getClass().getSimpleName());
        }
        this.plan = plan;
        this.members = members != null ? members : new MembersHttp(MEMBERS_REQUEST_TIMEOUT);
        this.retryMillis = retryMillis;
        this.cluster = cluster;
        this.faults = List.copyOf(faults);
        this.random = new SplittableRandom(seed);
        this.planner = new FaultPlanner(random.split(), cluster.nodes(), cluster::leader);
        this.recorder = recorder;
        this.intervalNanos = interval.toNanos();
        this.nextStartNanos = System.nanoTime() + intervalNanos; // a healthy start
    }

    /** What is broken right now, for progress lines. */
    public synchronized String current() {
        return active.isEmpty() ? "none" : active.stream().map(ActiveFault::description).collect(Collectors.joining("; "));
    }

    /** Heals the faults whose time is up and starts the next one when it is due. */
    public synchronized void tick() throws IOException, InterruptedException {
        long now = System.nanoTime();
        if (change != null && !change.thread.isAlive()) {
            finishChange();
        }
        for (ActiveFault f : List.copyOf(active)) {
            if (now >= f.endNanos()) {
                stop(f);
            }
        }
        if (!faults.isEmpty() && now >= nextStartNanos && active.size() < MAX_ACTIVE) {
            Fault kind = faults.get(injections % faults.size());
            if (kind == Fault.MEMBERSHIP && change != null) {
                if (faults.size() == 1) {
                    return; // one change at a time: the next starts when this one ends
                }
                kind = faults.get(++injections % faults.size()); // the next kind takes the turn
            }
            injections++;
            long duration = intervalNanos / 2 + random.nextLong(intervalNanos + 1);
            if (kind == Fault.MEMBERSHIP) {
                if (change == null) {
                    startChange(now);
                }
            } else {
                ActiveFault f = planner.plan(injections, kind, now + duration);
                recorder.record("start", f.description()); // before: the span covers the whole fault
                active.add(f);
                reconcile();
            }
            nextStartNanos = now + intervalNanos / 2 + random.nextLong(intervalNanos + 1);
        }
    }

    private void startChange(long now) {
        MembershipBackend m = (MembershipBackend) cluster;
        MembershipChange.Kind kind = plan.kind(changes++);
        List<String> candidates = m.nodes().stream().filter(n -> !m.vacant(n)).toList();
        String node = candidates.get(random.nextInt(candidates.size()));
        String fresh = kind == MembershipChange.Kind.REPLACE ? "n" + (m.nodes().size() + ++freshIds) : null;
        Change[] self = new Change[1];
        MembershipChange work = new MembershipChange(kind, node, fresh, m, members, new Hands(), retryMillis,
                () -> self[0].aborted, now + plan.timeout().toNanos(), random.split());
        ActiveFault f = new ActiveFault(injections, Fault.MEMBERSHIP, "#" + injections + " " + work.describe(), Map.of(), Map.of(), null,
                Set.of(), Set.of(), Set.of(), Long.MAX_VALUE);
        self[0] = new Change(f, work);
        recorder.record("start", f.description());
        active.add(f);
        change = self[0];
        change.thread.start();
    }

    /** Records how the finished change ended, then closes its span. */
    private void finishChange() throws IOException, InterruptedException {
        Change done = change;
        change = null;
        MembershipChange.Outcome outcome = done.outcome != null ? done.outcome
                : new MembershipChange.Outcome(MembershipChange.Status.ABORTED, "ended without an outcome");
        outcomes.add(done.fault.description() + ": " + outcome);
        tally.merge(outcome.status(), 1, Integer::sum);
        recorder.record("membership", done.fault.description() + ": " + outcome);
        stop(done.fault);
    }

    /** How the membership changes of this run ended, in order ("#6 membership rejoin n3 ...: done"). */
    public synchronized List<String> membershipOutcomes() {
        return List.copyOf(outcomes);
    }

    /** How many membership changes ended with {@code status} ("done", "refused", "timed out", "aborted"). */
    public synchronized int membershipChanges(String status) {
        return tally.getOrDefault(MembershipChange.Status.valueOf(status.toUpperCase(java.util.Locale.ROOT).replace(' ', '_')), 0);
    }

    /** Why the final heal could not restore the full membership, or null (restored, or no membership faults). */
    public synchronized String restoreFailure() {
        return restoreFailure;
    }

    /** Wipes and joins go through here, so they and the other faults see one state of each node. */
    private final class Hands implements MembershipChange.Hands {
        @Override
        public void wipe(String node) throws IOException, InterruptedException {
            synchronized (Nemesis.this) {
                ((MembershipBackend) cluster).wipe(node);
                down.remove(node); // gone, not down: a kill active on it now is applied to the node that joins
                paused.remove(node);
            }
        }

        @Override
        public boolean exited(String node) {
            synchronized (Nemesis.this) {
                return !down.containsKey(node) && !((MembershipBackend) cluster).running(node);
            }
        }

        @Override
        public void join(String node, String memberId, String via) throws IOException, InterruptedException {
            synchronized (Nemesis.this) {
                ((MembershipBackend) cluster).join(node, memberId, via);
                down.remove(node);
                paused.remove(node);
                reconcile(); // the active faults apply to the new node too
            }
        }
    }

    /**
     * Heals every active fault, each recorded as it ends; with membership faults, then restores the
     * full membership (every node a voter, nothing joint), recorded as a span of its own.
     */
    public void healAll() throws IOException, InterruptedException {
        Change running;
        synchronized (this) {
            nextStartNanos = Long.MAX_VALUE;
            running = change;
        }
        if (running != null) {
            running.aborted = true;
            running.thread.join(); // not under the lock: its last wipe or join takes it
        }
        synchronized (this) {
            if (change != null) {
                finishChange();
            }
            for (ActiveFault f : List.copyOf(active)) {
                stop(f);
            }
        }
        if (faults.contains(Fault.MEMBERSHIP)) {
            String what = "#" + (injections + 1) + " membership restore (every node a voter, nothing joint)";
            recorder.record("start", what);
            String failure = new MembershipRestore((MembershipBackend) cluster, members, new Hands(), retryMillis)
                    .run(System.nanoTime() + RESTORE_TIMEOUTS * plan.timeout().toNanos());
            synchronized (this) {
                restoreFailure = failure;
            }
            recorder.record("membership", what + ": " + (failure == null ? "done" : failure));
            recorder.record("stop", what);
        }
    }

    private void stop(ActiveFault f) throws IOException, InterruptedException {
        active.remove(f);
        reconcile();
        recorder.record("stop", f.description()); // after: the span covers the heal too
    }

    /** Brings the cluster to the combination of the active faults. */
    private void reconcile() throws IOException, InterruptedException {
        Map<String, Boolean> wantDown = new LinkedHashMap<>();
        Set<String> wantPaused = new HashSet<>();
        Map<String, Set<String>> cut = new HashMap<>();
        Map<String, Set<String>> oneWay = new HashMap<>();
        PacketFaults packets = PacketFaults.NONE;
        for (ActiveFault f : active) {
            f.killed().forEach(n -> wantDown.putIfAbsent(n, false));
            f.crashed().forEach(n -> wantDown.put(n, true));
            wantPaused.addAll(f.paused());
            f.cutFrom().forEach((n, peers) -> cut.computeIfAbsent(n, k -> new HashSet<>()).addAll(peers));
            f.oneWayFrom().forEach((n, peers) -> oneWay.computeIfAbsent(n, k -> new HashSet<>()).addAll(peers));
            if (f.packets() != null) {
                packets = worst(packets, f.packets());
            }
        }
        wantPaused.removeAll(wantDown.keySet());
        List<String> goingDown = new ArrayList<>();
        for (String node : cluster.nodes()) {
            if (wantDown.containsKey(node) && !down.containsKey(node)) {
                goingDown.add(node);
                paused.remove(node); // kill and crash resume a stopped process first
                down.put(node, wantDown.get(node));
            }
        }
        // All at once, as a power cut takes a rack: one after another, the last ones would keep
        // serving (and syncing) while the first were down.
        inParallel(goingDown, node -> {
            if (wantDown.get(node)) {
                cluster.crash(node);
            } else {
                cluster.kill(node);
            }
        });
        for (String node : cluster.nodes()) {
            if (wantPaused.contains(node) && !paused.contains(node)) {
                cluster.pause(node);
                paused.add(node);
            } else if (!wantPaused.contains(node) && paused.contains(node)) {
                cluster.resume(node);
                paused.remove(node);
            }
        }
        NetworkState next = new NetworkState(cut, oneWay, packets);
        if (!next.equals(network)) {
            cluster.network(next);
            network = next;
        }
        List<String> comingBack = new ArrayList<>();
        for (String node : cluster.nodes()) {
            if (!wantDown.containsKey(node) && down.containsKey(node)) {
                comingBack.add(node);
                down.remove(node);
            }
        }
        inParallel(comingBack, cluster::restart); // after the network state is set: they get it when they are up
    }

    private interface NodeAction {
        void apply(String node) throws IOException, InterruptedException;
    }

    private static void inParallel(List<String> nodes, NodeAction action) throws IOException, InterruptedException {
        if (nodes.size() <= 1) {
            for (String node : nodes) {
                action.apply(node);
            }
            return;
        }
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String node : nodes) {
            Thread t = new Thread(() -> {
                try {
                    action.apply(node);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    failures.add(e);
                }
            }, "nemesis-" + node);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            throw first instanceof IOException io ? io : new IOException("a fault could not be applied: " + first, first);
        }
    }

    private static PacketFaults worst(PacketFaults a, PacketFaults b) {
        return new PacketFaults(Math.max(a.lossPercent(), b.lossPercent()), Math.max(a.duplicatePercent(), b.duplicatePercent()),
                Math.max(a.delayMillis(), b.delayMillis()), Math.max(a.jitterMillis(), b.jitterMillis()));
    }
}
