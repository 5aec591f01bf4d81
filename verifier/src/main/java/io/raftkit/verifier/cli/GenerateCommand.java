package io.raftkit.verifier.cli;

import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.runner.Recorded;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Generates a cas-register history for checker benchmarks, shaped like the runner's: each operation
 * takes effect at a random moment between its invocation and completion, against one register per
 * key. An operation that ends {@code info} crashes its process (which continues under a new number),
 * and a write or CAS among them may still take effect later, as a request that timed out at the
 * client may still commit. With {@code --plant-stale-read}, one read of key k0 halfway through
 * returns the value of an acknowledged write that a later acknowledged write (invoked after the first
 * completed) overwrote before the read began (with {@code --values N}, a value never written): the history is then not linearizable, and only that read is to blame.
 */
@Command(name = "gen-history", hidden = true, mixinStandardHelpOptions = true,
        description = "Writes a generated cas-register history (for checker benchmarks): valid, or with one planted stale read.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--keys", defaultValue = "10")
    int keys;

    @Option(names = "--ops", defaultValue = "100000")
    int ops;

    @Option(names = "--processes", defaultValue = "20")
    int processes;

    @Option(names = "--info", defaultValue = "0.05", description = "fraction of operations that end info")
    double infoFraction;

    @Option(names = "--late", defaultValue = "0.5",
            description = "fraction of info writes and CASes that take effect after their client gave up (default ${DEFAULT-VALUE})")
    double lateFraction;

    @Option(names = "--values", defaultValue = "0",
            description = "0: every write and CAS writes a value unique to its key, as the runner does (initial \"absent\");"
                    + " N: values 0..N-1, repeated (initial nil, the shape of main's runner)")
    int values;

    @Option(names = "--plant-stale-read", description = "one read of k0 halfway through returns a stale value")
    boolean plantStaleRead;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--out", required = true)
    Path out;

    private static final Object FAILED = new Object();

    /** An operation in flight: invoked, maybe applied, not yet completed (or completed info and still pending). */
    private static final class Flight {
        final int process;
        final String f;
        final String key;
        final Object value;
        final long invoked;
        boolean applied;
        Object result;

        Flight(int process, String f, String key, Object value, long invoked) {
            this.process = process;
            this.f = f;
            this.key = key;
            this.value = value;
            this.invoked = invoked;
        }
    }

    private Object[] registers;
    private long[] nextValue;
    /** Per key: the value and completion of the last write or CAS acknowledged ok. */
    private Object[] lastAcked;
    private long[] lastAckedAt;
    /**
     * Per key: a value that is certainly gone, and since when: the value of an acknowledged write P,
     * once a write W invoked after P completed has completed too. P precedes W in every
     * linearization, and values are unique, so no moment after W's completion holds P's value.
     */
    private Object[] gone;
    private long[] goneSince;

    @Override
    public Integer call() throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        List<Recorded> events = new ArrayList<>();
        Object initial = values == 0 ? "absent" : null;
        registers = new Object[keys];
        lastAcked = new Object[keys];
        lastAckedAt = new long[keys];
        gone = new Object[keys];
        goneSince = new long[keys];
        nextValue = new long[keys];
        java.util.Arrays.fill(registers, initial);
        java.util.Arrays.fill(lastAckedAt, -1);
        java.util.Arrays.fill(goneSince, -1);
        Flight[] open = new Flight[processes];
        List<Flight> late = new ArrayList<>();
        int[] processIds = new int[processes];
        for (int p = 0; p < processes; p++) {
            processIds[p] = p;
        }
        long time = 0;
        int done = 0;
        boolean planted = !plantStaleRead;
        Flight plantedRead = null;
        int info0 = 0;
        while (done < ops) {
            time += 1 + random.nextInt(1000);
            if (!late.isEmpty() && random.nextInt(4) == 0) {
                apply(late.remove(random.nextInt(late.size())), false); // a request the client gave up on commits now
                continue;
            }
            int slot = random.nextInt(processes);
            Flight o = open[slot];
            if (o == null) {
                int k = random.nextInt(keys);
                String key = "k" + k;
                int kind = random.nextInt(5);
                String f = kind < 2 ? "read" : kind < 4 ? "write" : "cas";
                Object value = switch (f) {
                    case "write" -> newValue(k, random);
                    case "cas" -> List.of(expected(k, random), newValue(k, random));
                    default -> null;
                };
                open[slot] = new Flight(processIds[slot], f, key, value, time);
                events.add(new Recorded(events.size(), time, processIds[slot], "invoke", f, key, value, null));
            } else if (!o.applied && random.nextBoolean()) {
                boolean stale = !planted && o.f.equals("read") && o.key.equals("k0") && done > ops / 2
                        && goneSince[0] >= 0 && goneSince[0] < o.invoked;
                apply(o, stale);
                if (stale) {
                    planted = true;
                    plantedRead = o;
                }
            } else {
                boolean info = random.nextDouble() < infoFraction;
                if (!o.applied && !info) {
                    continue; // only an indeterminate operation may end before taking effect
                }
                if (o == plantedRead && info) {
                    info = false; // the planted read must be seen
                }
                String type = info ? "info" : o.result == FAILED ? "fail" : "ok";
                if (o == plantedRead) {
                    System.out.println("planted stale read of " + o.result + ": event " + events.size() + ", process " + o.process);
                }
                Object value = o.f.equals("read") ? (info ? null : o.result) : o.value;
                events.add(new Recorded(events.size(), time, o.process, type, o.f, o.key, value, null));
                int k = Integer.parseInt(o.key.substring(1));
                if (type.equals("ok") && !o.f.equals("read")) {
                    Object written = o.f.equals("write") ? o.value : ((List<?>) o.value).get(1);
                    if (lastAckedAt[k] >= 0 && lastAckedAt[k] < o.invoked) {
                        gone[k] = lastAcked[k];
                        goneSince[k] = time;
                    }
                    lastAcked[k] = written;
                    lastAckedAt[k] = time;
                }
                if (info) {
                    info0 += k == 0 ? 1 : 0;
                    processIds[slot] += processes;
                    if (!o.applied && !o.f.equals("read") && random.nextDouble() < lateFraction) {
                        late.add(o);
                    }
                }
                open[slot] = null;
                done++;
            }
        }
        HistoryWriter.writeJsonl(events, out);
        System.out.println("wrote " + events.size() + " events (" + done + " operations, " + info0 + " info on k0"
                + (plantStaleRead ? planted ? ", one stale read of k0 planted" : ", NO stale read could be planted" : "") + ") to " + out);
        return plantStaleRead && !planted ? 1 : 0;
    }

    private Object newValue(int k, SplittableRandom random) {
        return values == 0 ? Long.toString(nextValue[k]++) : (Object) (long) random.nextInt(values);
    }

    /** A CAS expects the register's value half the time (so many succeed), else a recent value. */
    private Object expected(int k, SplittableRandom random) {
        if (values != 0) {
            return (long) random.nextInt(values);
        }
        if (random.nextBoolean() || nextValue[k] == 0) {
            return registers[k];
        }
        return Long.toString(Math.max(0, nextValue[k] - 1 - random.nextInt(3)));
    }

    /**
     * The flight takes effect now. A stale read returns the value from before the last write that
     * completed ok before the read began: with unique values no later moment can hold it again.
     * An ok write records, in {@code result}, the value it replaced.
     */
    private void apply(Flight o, boolean stale) {
        int k = Integer.parseInt(o.key.substring(1));
        switch (o.f) {
            // With repeated values a stale value may legally come back, so the planted read returns
            // one never written instead: just as impossible, and just as costly to rule out.
            case "read" -> o.result = !stale ? registers[k] : values == 0 ? gone[k] : (Object) (long) values;
            case "write" -> {
                o.result = registers[k];
                registers[k] = o.value;
            }
            default -> {
                List<?> v = (List<?>) o.value;
                if (java.util.Objects.equals(v.get(0), registers[k])) {
                    o.result = registers[k];
                    registers[k] = v.get(1);
                } else {
                    o.result = FAILED;
                }
            }
        }
        o.applied = true;
    }
}
