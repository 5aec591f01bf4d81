package io.raftkit.verifier.checker;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A load measurement, not a test: generates valid list-append histories of 10,000 and of N
 * (default 100,000) transactions, writes each as JSONL, and times reading and checking it, three
 * rounds each, printing the figures and the large-to-small ratio (10 would be exactly linear). A
 * second argument names a directory to keep the two files in (for timing the CLI on them).
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
        long[] best = new long[2];
        int[] sizes = {small, large};
        for (int s = 0; s < 2; s++) {
            ListAppendHistories h = ListAppendHistories.serial(7, sizes[s], 10, 0.02, 0.02);
            Path file = dir.resolve("history-" + sizes[s] + ".jsonl");
            h.writeJsonl(file);
            best[s] = Long.MAX_VALUE;
            for (int round = 1; round <= 3; round++) {
                long start = System.nanoTime();
                Object events = HistoryFiles.read(file);
                long read = System.nanoTime();
                ListAppendResult r = checker.check(events);
                long end = System.nanoTime();
                long total = (end - start) / 1_000_000;
                best[s] = Math.min(best[s], total);
                System.out.printf("%,d transactions (%,d bytes): read %,d ms, check %,d ms, total %,d ms, verdict %s, %s edges%n",
                        sizes[s], Files.size(file), (read - start) / 1_000_000, (end - read) / 1_000_000, total,
                        r.verdict().word(), r.detail().get("edges"));
            }
            if (!keep) {
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
