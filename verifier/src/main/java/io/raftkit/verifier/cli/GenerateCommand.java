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
 * Generates a history that is linearizable by construction (each operation takes effect at a
 * random moment between its invocation and completion, against one register per key), for checker
 * benchmarks. Operations ending {@code info} crash their process, which continues under a new number.
 */
@Command(name = "gen-history", hidden = true, mixinStandardHelpOptions = true,
        description = "Writes a generated, valid cas-register history (for checker benchmarks).")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--keys", defaultValue = "10")
    int keys;

    @Option(names = "--ops", defaultValue = "100000")
    int ops;

    @Option(names = "--processes", defaultValue = "20")
    int processes;

    @Option(names = "--info", defaultValue = "0.05", description = "fraction of operations that end info")
    double infoFraction;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--out", required = true)
    Path out;

    private record Open(int process, String f, String key, Object value, long invoked, boolean applied, Object result) {
    }

    @Override
    public Integer call() throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        List<Recorded> events = new ArrayList<>();
        Object[] registers = new Object[keys];
        Open[] open = new Open[processes];
        int[] processIds = new int[processes];
        for (int p = 0; p < processes; p++) {
            processIds[p] = p;
        }
        long time = 0;
        int done = 0;
        while (done < ops) {
            int slot = random.nextInt(processes);
            Open o = open[slot];
            time += 1 + random.nextInt(1000);
            if (o == null) {
                String key = "k" + random.nextInt(keys);
                int kind = random.nextInt(5);
                String f = kind < 2 ? "read" : kind < 4 ? "write" : "cas";
                Object value = f.equals("write") ? (Object) (long) random.nextInt(5)
                        : f.equals("cas") ? List.of((long) random.nextInt(5), (long) random.nextInt(5)) : null;
                open[slot] = new Open(processIds[slot], f, key, value, time, false, null);
                events.add(new Recorded(events.size(), time, processIds[slot], "invoke", f, key, value, null));
            } else if (!o.applied()) {
                int k = Integer.parseInt(o.key().substring(1));
                Object result = null;
                boolean succeeded = true;
                switch (o.f()) {
                    case "read" -> result = registers[k];
                    case "write" -> registers[k] = o.value();
                    default -> {
                        List<?> v = (List<?>) o.value();
                        succeeded = v.get(0).equals(registers[k]);
                        if (succeeded) {
                            registers[k] = v.get(1);
                        }
                    }
                }
                open[slot] = new Open(o.process(), o.f(), o.key(), o.value(), o.invoked(), true, succeeded ? result : "FAILED");
            } else {
                boolean info = random.nextDouble() < infoFraction;
                String type = info ? "info" : "FAILED".equals(o.result()) ? "fail" : "ok";
                Object value = o.f().equals("read") ? (info ? null : o.result()) : o.value();
                events.add(new Recorded(events.size(), time, o.process(), type, o.f(), o.key(), value, null));
                if (info) {
                    processIds[slot] += processes;
                }
                open[slot] = null;
                done++;
            }
        }
        HistoryWriter.writeJsonl(events, out);
        System.out.println("wrote " + events.size() + " events (" + done + " operations) to " + out);
        return 0;
    }
}
