package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThat;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A search that cannot finish is an {@code unknown} verdict with its reason: the memory budget, or
 * an {@code OutOfMemoryError} when the heap is smaller than the budget assumed. Never a crash.
 */
class SearchLimitsTest {

    /**
     * One key, 24 processes whose writes of the values 0-2 all overlap and end info (so none can be
     * pruned: every value is read), then a read of a value never written: exhausting every order
     * of the overlapping writes before giving up takes millions of configurations.
     */
    static Object hardHistory() {
        List<Map<String, Object>> h = new ArrayList<>();
        for (int p = 0; p < 24; p++) {
            h.add(event(p, "invoke", "write", Long.toString(p % 3)));
        }
        for (int p = 0; p < 24; p++) {
            h.add(event(p, "info", "write", Long.toString(p % 3)));
        }
        for (int v = 0; v < 3; v++) {
            h.add(event(100 + v, "invoke", "read", null));
            h.add(event(100 + v, "ok", "read", Long.toString(v)));
        }
        h.add(event(200, "invoke", "read", null));
        h.add(event(200, "ok", "read", "9"));
        Checker.load();
        return Clojure.var("raftkit.checker.core", "normalize-events").invoke(h);
    }

    private static Map<String, Object> event(int process, String type, String f, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process", process);
        m.put("type", type);
        m.put("f", f);
        m.put("key", "k");
        m.put("value", value);
        return m;
    }

    static Map<?, ?> check(long maxBytes) {
        IFn checkKey = Clojure.var("raftkit.checker.core", "check-key");
        return (Map<?, ?>) checkKey.invoke(hardHistory(), "cas-register", "absent", new AtomicBoolean(),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(60), maxBytes);
    }

    @Test
    void aSearchPastItsMemoryBudgetIsUnknownAndSaysSo() {
        Map<?, ?> result = check(2_000_000);
        assertThat(result.get("valid")).isEqualTo("unknown");
        assertThat((String) result.get("reason")).startsWith("memory budget reached:").contains("configurations cost about 2 MB");
    }

    /** Runs {@link OutOfMemoryProbe} in a JVM with a 48 MB heap and no budget to speak of. */
    @Test
    void runningOutOfHeapIsUnknownNotACrash() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                OutOfMemoryProbe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("unknown: out of memory after");
    }

    /** The child: checks the hard history with a budget of a terabyte, so only the heap can stop it. */
    public static final class OutOfMemoryProbe {
        public static void main(String[] args) {
            Map<?, ?> result = check(1L << 40);
            System.out.println(result.get("valid") + ": " + result.get("reason"));
            System.exit(0);
        }
    }
}
