package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second process cannot open a directory another process holds, and the refusal names the holder's pid. */
class LockAcrossProcessesTest {

    @TempDir
    Path dir;

    @Test
    void openingADirectoryHeldByAnotherProcessIsRefusedNamingThatProcessesPid() throws Exception {
        Path data = dir.resolve("data");
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), data.toString(), "1", "60000")
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("child.err").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(out).contains("READY") && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThatThrownBy(() -> SegmentedLogStore.open(data, "crash-cluster", "n1", StoreSettings.DEFAULTS))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(data.toString())
                    .hasMessageContaining("held by pid " + child.pid());
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
