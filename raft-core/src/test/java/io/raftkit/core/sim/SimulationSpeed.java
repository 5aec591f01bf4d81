package io.raftkit.core.sim;

import java.util.Locale;

/**
 * Measures how fast the simulator runs: simulated cluster-seconds per wall-clock second, for
 * 5 voters, 10 ms ticks, faults on. Usage: {@code SimulationSpeed [runs] [ticksPerRun]}.
 * A plain main, not a test: speed is a benchmark figure (docs/benchmarks.md), never an assertion.
 */
public final class SimulationSpeed {

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int ticks = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        for (int warm = 0; warm < 5; warm++) {
            new SimCluster(1000 + warm, new SimCluster.Options(5, 0, ticks, true), false).run();
        }
        // Baseline in the same run: the same clusters with no faults.
        double quiet = measure("faults off (baseline)", new SimCluster.Options(5, 0, ticks, false), runs);
        double faulty = measure("faults on", new SimCluster.Options(5, 0, ticks, true), runs);
        System.out.printf(Locale.ROOT, "ratio faults-on / baseline: %.2f%n", faulty / quiet);
    }

    private static double measure(String label, SimCluster.Options options, int runs) {
        long readys = 0;
        long writes = 0;
        // CPU time too: on a shared 2-core machine the wall-clock rate mostly measures the neighbours.
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            SimCluster.Result r = new SimCluster(i + 1, options, false).run();
            readys += r.readys();
            writes += r.writesAcked();
        }
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        double simulatedSeconds = (double) runs * options.ticks() * SimCluster.TICK_MILLIS / 1000.0;
        double rate = simulatedSeconds / wallSeconds;
        System.out.printf(Locale.ROOT, "%-22s runs=%d ticks/run=%d nodes=%d wall=%.2fs cpu=%.2fs: %.0f simulated cluster-seconds"
                + " per wall-second, %.0f per CPU-second (%d Readys, %d writes acknowledged)%n", label, runs, options.ticks(),
                options.nodes(), wallSeconds, cpuSeconds, rate, simulatedSeconds / cpuSeconds, readys, writes);
        return rate;
    }
}
