package io.raftkit.kv.cli;

import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.PluginException;
import io.raftkit.kv.snapshot.SnapshotFileStatus;
import io.raftkit.kv.snapshot.SnapshotRestore;
import io.raftkit.kv.snapshot.SnapshotSave;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code raft-kv snapshot save|status|restore}: backups in the manner of etcd's snapshot tooling.
 * Each exits 0 on success, 1 when the file or the node failed (the message names what), 2 on bad
 * usage or a refused target (a non-empty data directory, an id outside the snapshot's members).
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Backs up and restores the KV store's state through Raft snapshots.",
                "A snapshot file holds the snapshot's metadata (two text lines: head -2 FILE) and its checksummed"
                        + " transfer stream."},
        subcommands = {SnapshotCommands.Save.class, SnapshotCommands.Status.class, SnapshotCommands.Restore.class})
final class SnapshotCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = {"Fetches the newest snapshot from a running node (GET /v1/snapshot) into FILE,"
                    + " checks its checksum, and only then gives it its name.",
                    "Tries the endpoints in order; any member will do: every member keeps snapshots."})
    static final class Save implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "where to write the snapshot; must not exist")
        Path file;

        @Option(names = "--endpoints", required = true, split = ",", paramLabel = "URL",
                description = "node base URLs, e.g. http://127.0.0.1:8001,http://127.0.0.1:8002")
        List<String> endpoints;

        @Option(names = "--take-now", description = "ask the node for a new snapshot first (POST /v1/snapshot), so the"
                + " backup covers everything committed up to now")
        boolean takeNow;

        @Option(names = "--timeout-ms", defaultValue = "600000", description = "give up on a node after this long (default ${DEFAULT-VALUE})")
        long timeoutMillis;

        @Override
        public Integer call() {
            try {
                SnapshotFileStatus status = SnapshotSave.save(endpoints, file, takeNow, java.time.Duration.ofMillis(timeoutMillis));
                System.out.println(status.toJson().encodePrettily());
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("raft-kv snapshot save: " + e.getMessage());
                return Main.BAD_USAGE;
            } catch (IOException e) {
                System.err.println("raft-kv snapshot save: " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Reads a snapshot file through and prints its index, term, members, keys, client sessions,"
                    + " size and whether its checksum holds.",
                    "Exits 0 when the file is sound, 1 when it is missing or damaged."})
    static final class Status implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "a file written by 'raft-kv snapshot save'")
        Path file;

        @Override
        public Integer call() {
            try {
                SnapshotFileStatus status = SnapshotFileStatus.inspect(file);
                System.out.println(status.toJson().encodePrettily());
                status.problem().ifPresent(p -> System.err.println("raft-kv snapshot status: " + file + " is damaged: " + p));
                return status.ok() ? 0 : 1;
            } catch (NoSuchFileException e) {
                System.err.println("raft-kv snapshot status: no such file: " + file);
                return 1;
            } catch (IOException e) {
                System.err.println("raft-kv snapshot status: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Seeds a new node's data directory from a snapshot file: the snapshot goes into the node's"
                    + " snapshot store and its log store is reset to start after the snapshot.",
                    "Run it once for every member of the snapshot's configuration (see 'snapshot status'), each with its"
                            + " own --id and --data-dir, then start the servers with those ids and data directories"
                            + " (their addresses may be new).",
                    "Refuses a damaged file, an id that is not a member, and a data directory that is not empty."})
    static final class Restore implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "a file written by 'raft-kv snapshot save'")
        Path file;

        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the new node's data directory: missing or empty")
        Path dataDir;

        @Option(names = "--id", required = true, description = "the node's id: one of the snapshot's members")
        String id;

        @Option(names = "--cluster-id", defaultValue = "raftkit", description = "the cluster name the server will be started with (default ${DEFAULT-VALUE})")
        String clusterId;

        @Option(names = "--log-store", defaultValue = "mapdb", description = "the server's log store plugin (default ${DEFAULT-VALUE})")
        String logStore;

        @Option(names = "--snapshot-store", defaultValue = "mapdb", description = "the server's snapshot store plugin (default ${DEFAULT-VALUE})")
        String snapshotStore;

        @Override
        public Integer call() {
            try {
                NodeId node = NodeId.of(id);
                SnapshotMeta meta = SnapshotRestore.restore(file, new SnapshotRestore.Target(dataDir, node, clusterId, logStore, snapshotStore));
                System.out.println("restored snapshot " + meta.id() + " (index " + meta.lastIncludedIndex() + ", term "
                        + meta.lastIncludedTerm() + ") into " + dataDir + " for node " + node.value()
                        + "; start it with --id " + node.value() + " --data-dir " + dataDir);
                return 0;
            } catch (IllegalArgumentException | PluginException e) {
                System.err.println("raft-kv snapshot restore: " + e.getMessage());
                return Main.BAD_USAGE;
            } catch (NoSuchFileException e) {
                System.err.println("raft-kv snapshot restore: no such file: " + file);
                return 1;
            } catch (IOException e) {
                System.err.println("raft-kv snapshot restore: " + e.getMessage());
                return 1;
            }
        }
    }
}
