package io.raftkit.verifier.checker;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A load measurement, not a test: generates valid list-append histories of N/10 and of N (default
 * 100,000) transactions, writes each as JSONL, warms the JIT on the small one, then times reading
 * and checking each, three interleaved rounds, printing the figures and the ratio of the best times
 * (10 would be exactly linear). A
 * second argument names a directory to keep the two files in (for timing the CLI on them); a third,
 * LOST_APPEND, STALE_READ or ABORTED_READ, plants that anomaly in both histories.
 * Run it from the verifier module after {@code ./mvnw -pl verifier test-compile}:
 * <pre>
 * ./mvnw -q -pl verifier dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp target/test-classes:target/classes:$(cat target/cp.txt) io.raftkit.verifier.checker.ListAppendLoad 100000
 * </pre>
 */
public final class ListAppendLoad {

    private ListAppendLoad() {
    }

    public static void main(String[] args) throws Exception {
        int large = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int small = large / 10;
        ListAppendChecker checker = new ListAppendChecker();
        boolean keep = args.length > 1;
        Path dir = keep ? Files.createDirectories(Path.of(args[1])) : Files.createTempDirectory("list-append-load");
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
        int[] sizes = {small, large};
        Path[] files = new Path[2];
        for (int s = 0; s < 2; s++) {
            files[s] = dir.resolve("history-" + sizes[s] + ".jsonl");
            ListAppendHistories h = ListAppendHistories.serial(7, sizes[s], 10, 0.02, 0.02);
            if (args.length > 2) {
                System.out.println(sizes[s] + " transactions, planted: " + h.plant(ListAppendHistories.Plant.valueOf(args[2]), 7));
            }
            h.writeJsonl(files[s]);
        }
        // JIT warm-up on the small history, untimed: otherwise the first size measured pays for compilation
        for (int i = 0; i < 3; i++) {
            checker.check(HistoryFiles.read(files[0]));
        }
        for (int round = 1; round <= 3; round++) {
            for (int s = 0; s < 2; s++) { // interleaved, so that a burst of load on the machine hits both sizes
                long start = System.nanoTime();
                Object events = HistoryFiles.read(files[s]);
                long read = System.nanoTime();
                ListAppendResult r = checker.check(events);
                long end = System.nanoTime();
                long total = (end - start) / 1_000_000;
                best[s] = Math.min(best[s], total);
                System.out.printf("%,d transactions (%,d bytes): read %,d ms, check %,d ms, total %,d ms, verdict %s, %s edges%n",
                        sizes[s], Files.size(files[s]), (read - start) / 1_000_000, (end - read) / 1_000_000, total,
                        r.verdict().word(), r.detail().get("edges"));
            }
        }
        if (!keep) {
            for (Path file : files) {
                Files.delete(file);
            }
        }
        System.out.printf("best of 3: %,d ms for %,d, %,d ms for %,d: ratio %.1f for 10x the transactions%n",
                best[0], small, best[1], large, (double) best[1] / best[0]);
        if (!keep) {
            Files.delete(dir);
        }
    }
}
