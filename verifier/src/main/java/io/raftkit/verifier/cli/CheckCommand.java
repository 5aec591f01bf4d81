package io.raftkit.verifier.cli;

import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.checker.ListAppendChecker;
import io.raftkit.verifier.checker.ListAppendResult;
import io.raftkit.verifier.checker.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Checks history files (.edn or .jsonl) for linearizability. Prints one line per file:"
                + " FILE valid|invalid|unknown, with the explanation when invalid.%n"
                + "With --model list-append (or elle-list-append), checks transactions of [:append k v] and [:r k list]"
                + " micro-ops (Jepsen's list-append) for strict serializability the way Elle does: dependency cycles"
                + " (G0, G1c, G-single, G2, each also -realtime), G1a, G1b, internal, incompatible-order,"
                + " duplicate-elements and garbage-read, one indented line per anomaly class found.%n"
                + "Exit codes: 0 all valid, 1 any invalid, 2 any unknown or unreadable.")
final class CheckCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "cas-register",
            description = "register, cas-register, multi-register, mutex, set, list-append (transactions; alias"
                    + " elle-list-append), or a Java model found through META-INF/services (counter, queue, your own;"
                    + " --initial does not apply to them) (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--initial", defaultValue = "nil",
            description = "the model's initial value as EDN: 0, nil, \"a\", {:x 0 :y 0} (default ${DEFAULT-VALUE});"
                    + " list-append ignores it: every list starts empty")
    String initial;

    @Option(names = "--time-limit", defaultValue = "60", description = "seconds per key before giving up as unknown (default ${DEFAULT-VALUE});"
            + " list-append ignores it: its check is near linear, not a search")
    long timeLimitSeconds;

    @Option(names = "--timing", description = "append each file's checking time in milliseconds")
    boolean timing;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "history files")
    List<Path> files;

    @Override
    public Integer call() {
        if (timeLimitSeconds < 1) {
            throw new IllegalArgumentException("--time-limit must be at least 1 second, was " + timeLimitSeconds);
        }
        if (ListAppendChecker.MODELS.contains(model)) {
            return checkListAppend();
        }
        Object initialValue = HistoryFiles.parseInitial(initial);
        Checker checker = Checker.forName(model, initialValue, Duration.ofSeconds(timeLimitSeconds));
        boolean invalid = false;
        boolean unknown = false;
        for (Path file : files) {
            try {
                CheckResult result = checker.check(HistoryFiles.read(file));
                String vacuous = result.vacuous();
                System.out.println(file + " " + result.verdict().word()
                        + (result.verdict() == Verdict.VALID ? (vacuous == null ? "" : " (" + vacuous + ")") : " " + result.explain())
                        + (timing ? " (" + result.millis() + " ms)" : ""));
                invalid |= result.verdict() == Verdict.INVALID;
                unknown |= result.verdict() == Verdict.UNKNOWN;
            } catch (java.nio.file.NoSuchFileException e) {
                System.out.println(file + " unknown: no such file");
                unknown = true;
            } catch (java.nio.charset.CharacterCodingException e) {
                System.out.println(file + " unknown: not UTF-8 text, so not a JSONL or EDN history");
                unknown = true;
            } catch (Exception e) {
                System.out.println(file + " unknown: could not be read: " + e.getMessage());
                unknown = true;
            }
        }
        return invalid ? 1 : unknown ? 2 : 0; // any invalid file decides the run
    }

    /** The Elle-style transactional check: one line per file, then one indented line per anomaly class. */
    private int checkListAppend() {
        ListAppendChecker checker = new ListAppendChecker();
        boolean invalid = false;
        boolean unknown = false;
        for (Path file : files) {
            try {
                ListAppendResult result = checker.check(file);
                System.out.println(file + " " + result.verdict().word()
                        + (result.verdict() == Verdict.INVALID ? " " + String.join(", ", result.anomalyClasses()) : "")
                        + (timing ? " (" + result.millis() + " ms)" : ""));
                for (String line : result.explain()) {
                    System.out.println("  " + line);
                }
                invalid |= result.verdict() == Verdict.INVALID;
                unknown |= result.verdict() == Verdict.UNKNOWN;
            } catch (java.nio.file.NoSuchFileException e) {
                System.out.println(file + " unknown: no such file");
                unknown = true;
            } catch (Exception e) {
                System.out.println(file + " unknown: could not be read: " + e.getMessage());
                unknown = true;
            }
        }
        return invalid ? 1 : unknown ? 2 : 0;
    }
}
