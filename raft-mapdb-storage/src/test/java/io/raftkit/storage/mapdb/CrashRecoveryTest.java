package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM with SIGKILL at random moments while it appends, truncates, compacts and saves
 * hard state, then reopens the store and checks it holds exactly the acknowledged state (or that
 * plus the one operation in flight): no acknowledged entry lost, none torn, no gap, nothing extra.
 *
 * <p>{@code -Draft.crash.kills=200} for the long run; {@code -Draft.crash.seed=N} replays kill timings
 * and the child's workload.
 */
class CrashRecoveryTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEntryAndHardStateSurvivesRepeatedKillDashNine() throws Exception {
        int kills = Integer.getInteger("raft.crash.kills", 20);
        long seed = Long.getLong("raft.crash.seed", System.nanoTime());
        System.out.println("crash test: " + kills + " kills, -Draft.crash.seed=" + seed);
        Random random = new Random(seed);
        Path data = dir.resolve("data");
        CrashWorkload.Model model = new CrashWorkload.Model();
        long acknowledgedOps = 0;
        int inFlightApplied = 0;
        for (int k = 0; k < kills; k++) {
            long delayMillis = 300 + random.nextInt(1200);
            Process child = new ProcessBuilder(javaExecutable(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                    data.toString(), Long.toString(random.nextLong()), "20000")
                    .redirectError(dir.resolve("child-" + k + ".err").toFile())
                    .start();
            ChildReader reader = new ChildReader(child, model);
            reader.start();
            Thread.sleep(delayMillis);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child died").isTrue();
            reader.join(30_000);
            acknowledgedOps += reader.acked;
            try (MapDbLogStore store = MapDbLogStore.open(data, "crash-cluster", "n1", MapDbSettings.DEFAULTS)) {
                String asAcknowledged = model.differenceFrom(store);
                if (asAcknowledged != null && reader.inFlight != null) {
                    CrashWorkload.Model withInFlight = model.copy();
                    withInFlight.apply(reader.inFlight);
                    String withOp = withInFlight.differenceFrom(store);
                    if (withOp == null) {
                        model = withInFlight;
                        inFlightApplied++;
                        continue;
                    }
                    fail("kill " + k + " (seed " + seed + "): " + asAcknowledged + "; with the in-flight "
                            + reader.inFlight + " applied: " + withOp);
                }
                if (asAcknowledged != null) {
                    fail("kill " + k + " (seed " + seed + "): " + asAcknowledged);
                }
            }
        }
        System.out.println("crash test: " + kills + " kills, " + acknowledgedOps + " acknowledged operations, "
                + inFlightApplied + " in-flight operations found committed, log " + model.firstIndex + ".." + model.lastIndex()
                + ", none lost (seed " + seed + ")");
        assertThat(acknowledgedOps).as("the children acknowledged operations before being killed").isPositive();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Applies each acknowledged operation to the model; remembers the one begun but not acknowledged. */
    private static final class ChildReader extends Thread {
        private final Process child;
        private final CrashWorkload.Model model;
        volatile String inFlight;
        volatile long acked;

        ChildReader(Process child, CrashWorkload.Model model) {
            this.child = child;
            this.model = model;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("BEGIN ")) {
                        inFlight = line.substring(6);
                    } else if (line.equals("ACK")) {
                        model.apply(inFlight);
                        inFlight = null;
                        acked++;
                    }
                }
            } catch (IOException e) {
                // The pipe breaks when the child is killed; what was read so far is what was acknowledged.
            }
        }
    }
}
