package io.raftkit.verifier.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code raft-verifier}: check histories, or run a fault-injection verification against a cluster. */
@Command(name = "raft-verifier", mixinStandardHelpOptions = true, version = "raft-verifier 0.1.0",
        description = "Jepsen-style verification of the RaftKit KV store: record histories under faults and check them"
                + " for linearizability.%nExit codes: 0 valid, 1 invalid, 2 unknown or error.",
        subcommands = {CheckCommand.class, RunCommand.class, GenerateCommand.class, BenchMemoCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: check or run");
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("raft-verifier: " + e.getMessage());
            return 2;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            System.err.println("raft-verifier: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (!(e instanceof IllegalArgumentException) && !(e instanceof java.io.IOException)) {
                e.printStackTrace(); // not a usage error: the trace is what a bug report needs
            }
            return 2;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        int code = execute(args);
        // Clojure's agent threads are not daemons: exit explicitly.
        System.exit(code);
    }
}
