package io.raftkit.verifier.cli;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures what one memo configuration of the linearizability search costs on the heap, the figure
 * behind {@code raftkit.checker.wgl/config-base-bytes}: fills a HashSet with configurations shaped
 * like the search's (a frontier that advances, a few operations concurrent with it, states shared
 * with the history) and divides the heap's growth, after full collections, by their number.
 */
@Command(name = "bench-memo", hidden = true, mixinStandardHelpOptions = true,
        description = "Measures the heap cost of one linearizability-search memo entry.")
final class BenchMemoCommand implements Callable<Integer> {

    @Option(names = "--configurations", defaultValue = "1000000")
    int configurations;

    @Option(names = "--window", defaultValue = "64,128,256,1024", split = ",",
            description = "operations concurrent with the frontier (bits above the lowest unlinearized op)")
    List<Integer> windows;

    @Override
    public Integer call() {
        Clojure.var("clojure.core", "require").invoke(Clojure.read("raftkit.checker.wgl"));
        IFn config = Clojure.var("raftkit.checker.wgl", "config");
        IFn charged = Clojure.var("raftkit.checker.wgl", "config-bytes");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        String[] states = new String[1000];
        for (int i = 0; i < states.length; i++) {
            states[i] = Integer.toString(i);
        }
        System.out.printf(Locale.ROOT, "%-8s %-10s %-16s %-16s %s%n", "window", "words", "measured B/config", "charged B/config", "ratio");
        for (int window : windows) {
            SplittableRandom random = new SplittableRandom(window);
            HashSet<Object> memo = new HashSet<>();
            long before = used(memory);
            long chargedTotal = 0;
            for (int i = 0; i < configurations; i++) {
                BitSet lin = new BitSet();
                int low = i / 4;
                lin.set(0, low);
                for (int b = 0; b < 3; b++) {
                    lin.set(low + 1 + random.nextInt(window - 1));
                }
                lin.set(low + window - 1);
                Object c = config.invoke(lin, states[random.nextInt(states.length)]);
                if (memo.add(c)) {
                    chargedTotal += ((Number) charged.invoke(c)).longValue();
                }
            }
            long after = used(memory);
            double measured = (after - before) / (double) memo.size();
            double perCharged = chargedTotal / (double) memo.size();
            System.out.printf(Locale.ROOT, "%-8d %-10d %-16.1f %-16.1f %.2f%n", window, (window + 63) / 64, measured, perCharged,
                    perCharged / measured);
            memo.clear();
        }
        return 0;
    }

    private static long used(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
