package io.raftkit.benchmarks.snapshot;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Splits a {@code raft-kv bench --histogram-log} by time windows: the latencies of the seconds that
 * fall mostly inside any window (say, while a node wrote a snapshot) against those of the others.
 * Issue 16 asks for the p99 of puts while a snapshot is written; the bench's whole-run p99 mixes
 * them with the puts before and after, and is lower whenever snapshots are rarer than one in a
 * hundred puts' time.
 *
 * <pre>java -cp benchmarks.jar io.raftkit.benchmarks.snapshot.LatencyWindows LOG WINDOWS</pre>
 * WINDOWS: one window a line, {@code startMillis endMillis} (epoch). Prints one line per side:
 * seconds, operations, p50, p99, p99.9 and max in milliseconds.
 */
public final class LatencyWindows {

    private LatencyWindows() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: LatencyWindows HISTOGRAM_LOG WINDOWS (lines of 'startMillis endMillis')");
            System.exit(2);
        }
        List<long[]> windows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2) {
                windows.add(new long[]{Long.parseLong(f[0]), Long.parseLong(f[1])});
            }
        }
        windows = merged(windows); // nodes write at the same time: count a millisecond once
        Histogram inside = new Histogram(3);
        Histogram outside = new Histogram(3);
        int secondsInside = 0;
        int secondsOutside = 0;
        HistogramLogReader reader = new HistogramLogReader(new File(args[0]));
        Histogram h;
        while ((h = (Histogram) reader.nextIntervalHistogram()) != null) {
            long start = h.getStartTimeStamp();
            long end = h.getEndTimeStamp();
            long covered = 0;
            for (long[] w : windows) {
                covered += Math.max(0, Math.min(end, w[1]) - Math.max(start, w[0]));
            }
            if (2 * covered >= end - start) {
                inside.add(h);
                secondsInside++;
            } else {
                outside.add(h);
                secondsOutside++;
            }
        }
        print("inside", secondsInside, inside);
        print("outside", secondsOutside, outside);
    }

    private static List<long[]> merged(List<long[]> windows) {
        windows.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] w : windows) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && w[0] <= last[1]) {
                last[1] = Math.max(last[1], w[1]);
            } else {
                out.add(new long[]{w[0], w[1]});
            }
        }
        return out;
    }

    private static void print(String side, int seconds, Histogram h) {
        System.out.printf(Locale.ROOT, "%s seconds %d ops %d p50 %.2f p99 %.2f p99.9 %.2f max %.2f%n", side, seconds,
                h.getTotalCount(), ms(h, 50), ms(h, 99), ms(h, 99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
