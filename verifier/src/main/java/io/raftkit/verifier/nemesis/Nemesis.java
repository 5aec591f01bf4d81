package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.ClusterBackend;
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
 */
public final class Nemesis {

    /** Faults active at once; more than two left too little time in which a quorum could serve. */
    static final int MAX_ACTIVE = 2;

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

    public Nemesis(ClusterBackend cluster, List<Fault> faults, long seed, Duration interval, Recorder recorder) {
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
        for (ActiveFault f : List.copyOf(active)) {
            if (now >= f.endNanos()) {
                stop(f);
            }
        }
        if (!faults.isEmpty() && now >= nextStartNanos && active.size() < MAX_ACTIVE) {
            Fault kind = faults.get(injections++ % faults.size());
            long duration = intervalNanos / 2 + random.nextLong(intervalNanos + 1);
            ActiveFault f = planner.plan(injections, kind, now + duration);
            recorder.record("start", f.description()); // before: the span covers the whole fault
            active.add(f);
            reconcile();
            nextStartNanos = now + intervalNanos / 2 + random.nextLong(intervalNanos + 1);
        }
    }

    /** Heals every active fault, each recorded as it ends. */
    public synchronized void healAll() throws IOException, InterruptedException {
        for (ActiveFault f : List.copyOf(active)) {
            stop(f);
        }
        nextStartNanos = Long.MAX_VALUE;
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
