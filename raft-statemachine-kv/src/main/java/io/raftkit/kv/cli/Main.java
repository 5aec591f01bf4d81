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

    /** Netty's switch for its JDK Flight Recorder events; the operator's own setting wins. */
    static final String NETTY_JFR = "io.netty.jfr.enabled";

    public static void main(String[] args) {
        quietNettyFlightRecorder();
        System.exit(run(args));
    }

    static void quietNettyFlightRecorder() {
        // Netty 4.2 declares Flight Recorder events and, on the first pooled allocation of an event
        // loop, loads and sets up JFR's event machinery even when no recording runs: most of the time
        // from a restarting server's transport start to its HTTP start, as it dials its peers
        // (docs/benchmarks.md, restart). Off unless asked for with -Dio.netty.jfr.enabled=true;
        // a JFR recording of the JVM itself is unaffected.
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
    }

    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
