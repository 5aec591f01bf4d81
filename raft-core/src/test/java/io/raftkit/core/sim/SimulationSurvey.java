package io.raftkit.core.sim;

import io.raftkit.core.Mutant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs many seeds in one process and tallies the outcome by the property that failed: how the
 * mutant table in docs/testing.md was measured. Usage:
 * {@code SimulationSurvey [firstSeed] [seeds] [ticks]}, with {@code -Draft.sim.mutant=NAME} to put back
 * one of the {@link Mutant}s; prints each failing seed with its message and
 * a summary line, and the highest message-budget ratio a passing run reached.
 */
public final class SimulationSurvey {

    public static void main(String[] args) {
        long first = args.length > 0 ? Long.parseLong(args[0]) : 1;
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : SimulationTest.DEFAULT_SEEDS;
        int ticks = args.length > 2 ? Integer.parseInt(args[2]) : SimulationTest.DEFAULT_TICKS;
        Mutant mutant = Mutant.valueOf(System.getProperty("raft.sim.mutant", "NONE"));
        Mutant.activate(mutant);
        Map<String, Integer> byProperty = new TreeMap<>();
        long firstFailing = -1;
        double worstRatio = 0;
        long start = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            try {
                SimCluster.Result r = new SimCluster(seed, SimulationTest.shape(seed, ticks), false).run();
                worstRatio = Math.max(worstRatio, r.worstMessageRatio());
            } catch (RuntimeException | AssertionError e) {
                String message = String.valueOf(e.getMessage());
                String property = message.contains(":") ? message.substring(0, message.indexOf(':')) : message;
                byProperty.merge(property, 1, Integer::sum);
                if (firstFailing < 0) {
                    firstFailing = seed;
                }
                System.out.println("seed " + seed + " " + SimulationTest.shape(seed, ticks) + ": "
                        + (message.length() > 300 ? message.substring(0, 300) + "..." : message));
            }
        }
        int failing = byProperty.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf(Locale.ROOT, "mutant %s, seeds %d..%d, %d ticks: %d failing, first %s, by property %s;"
                        + " worst message ratio of passing runs %.2f (budget %d); %.1f s%n",
                mutant, first, first + seeds - 1, ticks, failing, firstFailing < 0 ? "none" : String.valueOf(firstFailing), byProperty,
                worstRatio, MessageBudget.MESSAGES_PER_UNIT, (System.nanoTime() - start) / 1e9);
    }
}
