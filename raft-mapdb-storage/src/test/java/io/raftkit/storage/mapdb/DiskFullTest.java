package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: an 8 MiB tmpfs mounted for the test (needs root, as on the project's machines and
 * CI; skipped where mounting is not allowed). Appends must fail with an IOException naming the
 * directory and the problem, later writes too, and everything acknowledged before must still be
 * there. (With the format-1 MapDB store this test found ENOSPC in the middle of a MapDB commit
 * corrupting the last committed batch.)
 */
class DiskFullTest {

    @TempDir
    Path dir;

    private Path mountPoint;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        mountPoint = dir.resolve("small-disk");
        Files.createDirectories(mountPoint);
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint.toString());
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (not root?)");
    }

    @AfterEach
    void unmount() throws Exception {
        // Lazy unmount in case a failed test left a file open.
        if (!run("umount", mountPoint.toString())) {
            run("umount", "-l", mountPoint.toString());
        }
    }

    @Test
    void aFullDiskFailsTheAppendWithAnIoExceptionAndKeepsWhatWasAcknowledged() throws Exception {
        Path data = mountPoint.resolve("data");
        long acknowledged = 0;
        IOException failure = null;
        // Small segments, so the disk also fills up while a new segment file is being created.
        try (SegmentedLogStore store = SegmentedLogStore.open(data, "c1", "n1", new StoreSettings(16, 1L << 20))) {
            store.saveHardState(new HardState(2, null, 0));
            while (acknowledged < 1_000_000) {
                List<LogEntry> batch = CrashWorkload.batch(acknowledged + 1, 64, 1);
                try {
                    store.append(batch);
                } catch (IOException e) {
                    failure = e;
                    break;
                }
                acknowledged += batch.size();
            }
            assertThat(failure).as("an 8 MiB disk fills up").isNotNull();
            assertThat(failure).hasMessageContaining(data.toString())
                    .hasMessageContaining("append of entries " + (acknowledged + 1))
                    .hasMessageContaining("No space left on device");
            long next = acknowledged + 1;
            assertThatThrownBy(() -> store.append(CrashWorkload.batch(next, 64, 1)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("refuses writes after an earlier failure");
            assertThatThrownBy(() -> store.saveHardState(new HardState(9, null, 0)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("refuses writes after an earlier failure");
            assertThat(store.lastIndex()).as("memory was not advanced past what failed").isEqualTo(acknowledged);
        }
        assertThat(acknowledged).isGreaterThan(10_000);
        // Room again (as an operator would make), then the acknowledged prefix must be all there.
        assertThat(run("mount", "-o", "remount,size=64m", mountPoint.toString())).isTrue();
        try (SegmentedLogStore reopened = SegmentedLogStore.open(data, "c1", "n1", StoreSettings.DEFAULTS)) {
            assertThat(reopened.lastIndex()).isEqualTo(acknowledged);
            assertThat(reopened.entries(1, acknowledged, Long.MAX_VALUE))
                    .hasSize((int) acknowledged)
                    .last().isEqualTo(CrashWorkload.batch(acknowledged, 1, 1).get(0));
            assertThat(reopened.loadHardState()).isEqualTo(new HardState(2, null, 0));
            reopened.append(CrashWorkload.batch(acknowledged + 1, 64, 1));
            assertThat(reopened.lastIndex()).as("writable again once there is room").isEqualTo(acknowledged + 64);
        }
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
