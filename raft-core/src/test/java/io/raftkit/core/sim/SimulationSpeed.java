package io.raftkit.core.sim;

import java.util.Locale;

/**
 * Measures how fast the simulator runs: simulated cluster-seconds per wall-clock second, for
 * 5 nodes, 10 ms ticks, faults on. Usage: {@code SimulationSpeed [runs] [ticksPerRun]}.
 * A plain main, not a test: speed is a benchmark figure (docs/benchmarks.md), never an assertion.
 */
public final class SimulationSpeed {

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int ticks = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        SimCluster.Options options = new SimCluster.Options(5, ticks, true);
        for (int warm = 0; warm < 5; warm++) {
            new SimCluster(1000 + warm, options, false).run();
        }
        long events = 0;
        long writes = 0;
        long reads = 0;
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            SimCluster.Result r = new SimCluster(i + 1, options, false).run();
            events += r.events();
            writes += r.writesAcked();
            reads += r.readsServed();
        }
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        double simulatedSeconds = (double) runs * ticks * SimCluster.TICK_MILLIS / 1000.0;
        System.out.printf(Locale.ROOT, "runs=%d ticks/run=%d nodes=5 wall=%.2fs simulated=%.0fs%n",
                runs, ticks, wallSeconds, simulatedSeconds);
        System.out.printf(Locale.ROOT, "simulated cluster-seconds per wall-second: %.0f%n", simulatedSeconds / wallSeconds);
        System.out.printf(Locale.ROOT, "readies handled: %d, writes acknowledged: %d, reads served: %d%n", events, writes, reads);
    }
}
