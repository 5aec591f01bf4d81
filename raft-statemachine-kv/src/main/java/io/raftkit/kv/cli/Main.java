package io.raftkit.kv.cli;

import io.raftkit.kv.bench.BenchCommand;
import io.raftkit.kv.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code raft-kv}: the KV store's one program: server, client commands, demo and load tool. */
@Command(name = "raft-kv", mixinStandardHelpOptions = true, version = "raft-kv 0.1.0",
        description = "A replicated key-value store on Raft.",
        subcommands = {ServerCommand.class, ClientCommands.Put.class, ClientCommands.Get.class,
                ClientCommands.Delete.class, ClientCommands.Cas.class, ClientCommands.Status.class, TxnCommand.class,
                SnapshotCommands.class, MemberCommands.class, DemoCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    /** Exit status for bad flags or configuration (picocli's usage status). */
    public static final int BAD_USAGE = CommandLine.ExitCode.USAGE;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
