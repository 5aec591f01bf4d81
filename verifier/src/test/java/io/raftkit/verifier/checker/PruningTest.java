package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The rewrites in raftkit.checker.prune change no verdict, and they are what makes a key with many
 * indeterminate writes decidable.
 */
class PruningTest {

    private static final IFnEvents EVENTS = new IFnEvents();

    /** Builds JSONL-shaped events and normalizes them as HistoryFiles does. */
    private static final class IFnEvents {
        Object of(List<Map<String, Object>> raw) {
            return clojure.java.api.Clojure.var("raftkit.checker.core", "normalize-events").invoke(raw);
        }
    }

    private static Map<String, Object> e(int process, String type, String f, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process", process);
        m.put("type", type);
        m.put("f", f);
        m.put("key", "k");
        m.put("value", value);
        return m;
    }

    private static CheckResult check(List<Map<String, Object>> raw) {
        Checker.load();
        return new Checker("cas-register", "absent", Duration.ofSeconds(20), 1).check(EVENTS.of(raw));
    }

    @Test
    void anUnobservedIndeterminateWriteIsDroppedAndAnObservedOneBecomesDeterminate() {
        List<Map<String, Object>> h = new ArrayList<>();
        h.add(e(0, "invoke", "write", "1"));
        h.add(e(0, "info", "write", "1"));      // observed below: must have happened before the read
        h.add(e(1, "invoke", "write", "2"));
        h.add(e(1, "info", "write", "2"));      // never observed: may be dropped
        h.add(e(2, "invoke", "read", null));
        h.add(e(2, "ok", "read", "1"));
        h.add(e(3, "invoke", "read", null));
        h.add(e(3, "info", "read", null));      // no value: legal anywhere, dropped
        CheckResult r = check(h);
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        Map<String, Object> detail = r.keys().get(0).detail();
        assertThat(((Number) detail.get("operations")).intValue()).isEqualTo(4);
        assertThat(((Number) detail.get("searched")).intValue()).as("the unobserved write and the value-less read are gone").isEqualTo(2);
    }

    @Test
    void aStaleReadAfterAnObservedIndeterminateWriteIsStillInvalidAndNamesTheBound() {
        List<Map<String, Object>> h = new ArrayList<>();
        h.add(e(0, "invoke", "write", "1"));
        h.add(e(0, "info", "write", "1"));
        h.add(e(1, "invoke", "read", null));
        h.add(e(1, "ok", "read", "1"));
        h.add(e(2, "invoke", "read", null));
        h.add(e(2, "ok", "read", "absent")); // after 1 was read: stale
        CheckResult r = check(h);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.explain()).contains("cannot linearize process 2 read \"absent\"");
        KeyResult bad = r.worst();
        assertThat(bad.partialLinearization()).hasSize(3);
        assertThat(bad.partialLinearization().get(0)).contains("write \"1\"").contains("indeterminate, observed by position 3")
                .endsWith("-> \"1\"");
        assertThat(bad.partialLinearization().get(2)).startsWith("then process 2 read \"absent\"");
    }

    /**
     * Pruning must not change a verdict: 1,000 random small histories with indeterminate operations
     * and repeated values, each checked with and without it. The histories must include both
     * verdicts and pruned operations, or the comparison would prove nothing.
     */
    @Test
    void pruningChangesNoVerdictOnRandomHistories() {
        Checker.load();
        clojure.lang.IFn pruned = clojure.java.api.Clojure.var("raftkit.checker.core", "check-key");
        clojure.lang.IFn reference = clojure.java.api.Clojure.var("raftkit.checker.core", "check-key-unpruned");
        int valid = 0;
        int invalid = 0;
        int shrunk = 0;
        for (long seed = 1; seed <= 1000; seed++) {
            List<Map<String, Object>> h = randomHistory(new SplittableRandom(seed));
            Object events = EVENTS.of(h);
            Map<?, ?> a = (Map<?, ?>) pruned.invoke(events, "cas-register", "absent", new java.util.concurrent.atomic.AtomicBoolean(),
                    System.nanoTime() + 10_000_000_000L, 1L << 28);
            Map<?, ?> b = (Map<?, ?>) reference.invoke(events, "cas-register", "absent", new java.util.concurrent.atomic.AtomicBoolean(),
                    System.nanoTime() + 10_000_000_000L, 1L << 28);
            assertThat(a.get("valid")).as("seed %d: %s", seed, h).isEqualTo(b.get("valid"));
            valid += "true".equals(a.get("valid")) ? 1 : 0;
            invalid += "false".equals(a.get("valid")) ? 1 : 0;
            shrunk += ((Number) a.get("searched")).intValue() < ((Number) a.get("operations")).intValue() ? 1 : 0;
        }
        assertThat(valid).as("valid histories").isGreaterThan(100);
        assertThat(invalid).as("invalid histories").isGreaterThan(100);
        assertThat(shrunk).as("histories the rewrites shrank").isGreaterThan(300);
    }

    /**
     * A linearizable-or-not history from a register whose values are few (so many repeat) and
     * whose reads sometimes lie, with a third of the writes and CASes indeterminate.
     */
    private static List<Map<String, Object>> randomHistory(SplittableRandom random) {
        List<Map<String, Object>> h = new ArrayList<>();
        String state = "absent";
        int processes = 3;
        Map<Integer, Map<String, Object>> open = new LinkedHashMap<>();
        int[] ids = {0, 1, 2};
        String[] pendingResult = new String[processes];
        boolean[] applied = new boolean[processes];
        for (int step = 0; step < 24; step++) {
            int slot = random.nextInt(processes);
            Map<String, Object> inv = open.get(slot);
            if (inv == null) {
                String f = List.of("read", "write", "cas").get(random.nextInt(3));
                Object value = f.equals("write") ? String.valueOf(random.nextInt(3))
                        : f.equals("cas") ? List.of(String.valueOf(random.nextInt(3)), String.valueOf(random.nextInt(3))) : null;
                inv = e(ids[slot], "invoke", f, value);
                h.add(inv);
                open.put(slot, inv);
                applied[slot] = false;
            } else if (!applied[slot] && random.nextBoolean()) {
                String f = (String) inv.get("f");
                pendingResult[slot] = null;
                if (f.equals("read")) {
                    pendingResult[slot] = random.nextInt(4) == 0 ? String.valueOf(random.nextInt(3)) : state; // sometimes a lie
                } else if (f.equals("write")) {
                    state = (String) inv.get("value");
                } else {
                    List<?> v = (List<?>) inv.get("value");
                    if (v.get(0).equals(state)) {
                        state = (String) v.get(1);
                    } else {
                        pendingResult[slot] = "FAILED";
                    }
                }
                applied[slot] = true;
            } else {
                String f = (String) inv.get("f");
                boolean info = random.nextInt(3) == 0;
                if (!applied[slot] && !info) {
                    continue; // only an indeterminate op may end without having taken effect
                }
                String type = info ? "info" : "FAILED".equals(pendingResult[slot]) ? "fail" : "ok";
                h.add(e(ids[slot], type, f, f.equals("read") ? (info ? null : pendingResult[slot]) : inv.get("value")));
                open.remove(slot);
                if (info) {
                    ids[slot] += processes;
                }
            }
        }
        return h;
    }
}
