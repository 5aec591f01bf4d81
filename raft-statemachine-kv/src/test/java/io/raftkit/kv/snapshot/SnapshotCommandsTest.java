package io.raftkit.kv.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import io.raftkit.core.memory.MemorySnapshotStore;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.cli.Main;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raft-kv snapshot status} and {@code restore} against real files and the mapdb stores. */
class SnapshotCommandsTest {

    private static final ClusterConfig MEMBERS = ClusterConfig.ofVoters("n1", "n2", "n3");

    @TempDir
    Path dir;

    /** Exit status, stdout, stderr. */
    static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true));
        System.setErr(new PrintStream(stderr, true));
        try {
            int status = Main.run(args);
            return new String[] {Integer.toString(status), stdout.toString(), stderr.toString()};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private Path backup(KvStateMachine sm) throws Exception {
        MemorySnapshotStore store = new MemorySnapshotStore();
        SnapshotMeta meta = SnapshotFiles.snapshot(sm, store, 1_234, 7, MEMBERS);
        return SnapshotFiles.file(store, meta, dir.resolve("backup.snap"));
    }

    private static byte[] records(KvStateMachine sm) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sm.snapshot(out);
        return out.toByteArray();
    }

    @Test
    void statusReportsIndexTermMembersKeysSessionsSizeAndAGoodChecksum() throws Exception {
        Path file = backup(SnapshotFiles.state(100));
        String[] r = run("snapshot", "status", file.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        JsonObject status = new JsonObject(r[1]);
        assertThat(status.getLong("index")).isEqualTo(1_234);
        assertThat(status.getLong("term")).isEqualTo(7);
        assertThat(status.getJsonArray("members").getList()).containsExactly("n1", "n2", "n3");
        assertThat(status.getLong("keys")).isEqualTo(100);
        assertThat(status.getLong("sessions")).isEqualTo(5);
        assertThat(status.getBoolean("checksumOk")).isTrue();
        assertThat(status.getBoolean("ok")).isTrue();
        assertThat(status.getLong("fileBytes")).isEqualTo(Files.size(file));
        assertThat(status.getLong("sizeBytes")).isLessThan(Files.size(file));
    }

    @Test
    void statusOfAFileWithAFlippedByteSaysTheChecksumFailsAndExits1() throws Exception {
        Path file = backup(SnapshotFiles.state(100));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 100] ^= 0x10;
        Files.write(file, bytes);
        String[] r = run("snapshot", "status", file.toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(new JsonObject(r[1]).getBoolean("checksumOk")).isFalse();
        assertThat(r[2]).contains("is damaged").contains("checksum mismatch");
    }

    @Test
    void statusOfATruncatedMissingOrForeignFileExits1NamingTheProblem() throws Exception {
        Path file = backup(SnapshotFiles.state(100));
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = Files.write(dir.resolve("truncated.snap"), Arrays.copyOf(bytes, bytes.length - 500));
        String[] cut = run("snapshot", "status", truncated.toString());
        assertThat(cut[0]).isEqualTo("1");
        assertThat(cut[2]).contains("truncated");
        String[] missing = run("snapshot", "status", dir.resolve("nope.snap").toString());
        assertThat(missing[0]).isEqualTo("1");
        assertThat(missing[2]).contains("no such file").contains("nope.snap");
        Path foreign = Files.writeString(dir.resolve("notes.txt"), "hello\nworld\n");
        String[] other = run("snapshot", "status", foreign.toString());
        assertThat(other[0]).isEqualTo("1");
        assertThat(other[2]).contains("is not a RaftKit snapshot file");
        Path header = Files.writeString(dir.resolve("header.snap"), SnapshotFile.MAGIC_LINE + "\n{\"id\": 3\n");
        String[] damaged = run("snapshot", "status", header.toString());
        assertThat(damaged[0]).isEqualTo("1");
        assertThat(damaged[2]).contains("the snapshot header is damaged");
    }

    @Test
    void restoreSeedsTheMapdbStoresSoTheNodeHoldsTheSnapshotAndALogThatStartsAfterIt() throws Exception {
        KvStateMachine original = SnapshotFiles.state(300);
        Path file = backup(original);
        Path data = dir.resolve("n2-data");
        String[] r = run("snapshot", "restore", file.toString(), "--data-dir", data.toString(), "--id", "n2");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("index 1234, term 7").contains("--id n2");

        NodeId n2 = NodeId.of("n2");
        try (SnapshotStore store = Plugins.snapshotStore("mapdb").open(new SnapshotStoreConfig(n2, "raftkit", data, null, null))) {
            SnapshotMeta latest = store.latest().orElseThrow();
            assertThat(latest.lastIncludedIndex()).isEqualTo(1_234);
            assertThat(latest.lastIncludedTerm()).isEqualTo(7);
            assertThat(latest.config()).isEqualTo(MEMBERS);
            KvStateMachine restored = new KvStateMachine(60_000);
            try (SnapshotReader reader = store.read(latest.id())) {
                restored.restoreSnapshot(reader);
            }
            assertThat(records(restored)).as("the restored node's state is the backed-up one").isEqualTo(records(original));
        }
        try (LogStore log = Plugins.logStore("mapdb").open(new LogStoreConfig(n2, "raftkit", data, null, null))) {
            assertThat(log.firstIndex()).isEqualTo(1_235);
            assertThat(log.lastIndex()).isEqualTo(1_234);
            assertThat(log.term(1_234)).isEqualTo(7);
            assertThat(log.loadHardState()).isEqualTo(new HardState(7, null, 1_234));
        }
    }

    @Test
    void restoreRefusesANonEmptyDataDirAnIdOutsideTheMembersAndADamagedFileLeavingTheDirectoryAsItWas() throws Exception {
        Path file = backup(SnapshotFiles.state(50));
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("keep.me"), "x");
        String[] nonEmpty = run("snapshot", "restore", file.toString(), "--data-dir", used.toString(), "--id", "n1");
        assertThat(nonEmpty[0]).isEqualTo("2");
        assertThat(nonEmpty[2]).contains("is not empty").contains("keep.me");
        try (var listing = Files.list(used)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList()).containsExactly("keep.me");
        }

        Path fresh = dir.resolve("fresh");
        String[] stranger = run("snapshot", "restore", file.toString(), "--data-dir", fresh.toString(), "--id", "n9");
        assertThat(stranger[0]).isEqualTo("2");
        assertThat(stranger[2]).contains("node n9 is not a member of the snapshot's configuration [n1, n2, n3]");
        assertThat(fresh).doesNotExist();

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 0x01;
        Path damagedFile = Files.write(dir.resolve("damaged.snap"), bytes);
        String[] damaged = run("snapshot", "restore", damagedFile.toString(), "--data-dir", fresh.toString(), "--id", "n1");
        assertThat(damaged[0]).isEqualTo("1");
        assertThat(damaged[2]).contains("is damaged, nothing was restored");
        assertThat(fresh).doesNotExist();

        String[] memory = run("snapshot", "restore", file.toString(), "--data-dir", fresh.toString(), "--id", "n1",
                "--snapshot-store", "memory");
        assertThat(memory[0]).isEqualTo("2");
        assertThat(memory[2]).contains("a memory store keeps nothing after this command exits");
        assertThat(fresh).doesNotExist();

        String[] missing = run("snapshot", "restore", dir.resolve("none.snap").toString(), "--data-dir", fresh.toString(), "--id", "n1");
        assertThat(missing[0]).isEqualTo("1");
        assertThat(missing[2]).contains("no such file");
    }

    @Test
    void helpDescribesEachSubcommand() {
        for (String sub : List.of("save", "status", "restore")) {
            String[] r = run("snapshot", sub, "--help");
            assertThat(r[0]).isEqualTo("0");
            assertThat(r[1]).contains("Usage: raft-kv snapshot " + sub);
        }
        assertThat(run("snapshot", "restore", "--help")[1]).contains("--data-dir").contains("--id").contains("not empty");
        assertThat(run("snapshot", "--help")[1]).contains("save").contains("status").contains("restore");
    }
}
