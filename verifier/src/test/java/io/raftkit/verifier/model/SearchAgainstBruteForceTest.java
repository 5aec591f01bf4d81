package io.raftkit.verifier.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Verdict;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WGL search agrees with brute force on random small histories with indeterminate operations:
 * every order of every choice of indeterminate operations that respects real time, stepped through
 * the model. Guards the search's candidate order (completed operations first) and its memo's
 * representation of indeterminate operations, which a verdict-preserving change must not alter.
 */
class SearchAgainstBruteForceTest {

    @TempDir
    Path dir;

    /** One operation: invoked at {@code call}, completed at {@code ret} (Long.MAX_VALUE when indeterminate). */
    private record Timed(int process, String f, Object value, long call, long ret) {
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void theSearchAndBruteForceGiveTheSameVerdict(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int valid = 0;
        for (int round = 0; round < 60; round++) {
            boolean counter = random.nextBoolean();
            Model<?> model = counter ? new CounterModel() : new CasRegisterModel(0L);
            List<Timed> ops = new ArrayList<>();
            String edn = history(random, counter, ops);
            boolean expected = bruteForce(model, ops);
            CheckResult r = Histories.check(dir, model, edn);
            assertThat(r.verdict()).as("seed " + seed + " round " + round + ":\n" + edn)
                    .isEqualTo(expected ? Verdict.VALID : Verdict.INVALID);
            valid += expected ? 1 : 0;
        }
        assertThat(valid).as("the generator makes both kinds").isBetween(5, 55);
    }

    /** Three processes, up to seven operations, some ending info; values small so that reads often match. */
    private static String history(SplittableRandom random, boolean counter, List<Timed> ops) {
        StringBuilder edn = new StringBuilder("[");
        Timed[] open = new Timed[3];
        long time = 0;
        int started = 0;
        int limit = 3 + random.nextInt(5);
        while (started < limit || open[0] != null || open[1] != null || open[2] != null) {
            int p = random.nextInt(3);
            if (open[p] == null && started < limit) {
                String f;
                Object value;
                int pick = random.nextInt(3);
                if (counter) {
                    f = pick == 0 ? "add" : "read";
                    value = pick == 0 ? (Object) (long) (1 + random.nextInt(2)) : (Object) (long) random.nextInt(4);
                } else {
                    f = pick == 0 ? "write" : pick == 1 ? "read" : "cas";
                    value = pick == 2 ? List.of((long) random.nextInt(2), (long) random.nextInt(2)) : (long) random.nextInt(2);
                }
                open[p] = new Timed(p, f, value, time, Long.MAX_VALUE);
                edn.append("{:process ").append(p).append(" :type :invoke :f :").append(f).append(" :value ")
                        .append(f.equals("read") ? "nil" : edn(value)).append("}\n");
                started++;
            } else if (open[p] != null) {
                Timed o = open[p];
                boolean info = random.nextInt(4) == 0 && !o.f().equals("read");
                edn.append("{:process ").append(p).append(" :type :").append(info ? "info" : "ok").append(" :f :").append(o.f())
                        .append(" :value ").append(edn(o.value())).append("}\n");
                ops.add(new Timed(p, o.f(), o.value(), o.call(), info ? Long.MAX_VALUE : time));
                open[p] = null;
            }
            time++;
        }
        return edn.append("]").toString();
    }

    private static String edn(Object v) {
        return v instanceof List<?> l ? "[" + l.get(0) + " " + l.get(1) + "]" : String.valueOf(v);
    }

    /** Whether some subset of the indeterminate operations and some real-time order of it and all the completed ones steps through. */
    private static boolean bruteForce(Model<?> model, List<Timed> ops) {
        List<Timed> infos = ops.stream().filter(o -> o.ret() == Long.MAX_VALUE).toList();
        List<Timed> done = ops.stream().filter(o -> o.ret() != Long.MAX_VALUE).toList();
        for (int mask = 0; mask < 1 << infos.size(); mask++) {
            List<Timed> chosen = new ArrayList<>(done);
            for (int i = 0; i < infos.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    chosen.add(infos.get(i));
                }
            }
            if (orders(model, chosen, new ArrayList<>(), new boolean[chosen.size()])) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean orders(Model model, List<Timed> ops, List<Timed> order, boolean[] used) {
        if (order.size() == ops.size()) {
            Object state = model.initialState();
            for (Timed o : order) {
                Optional<Object> next = model.step(state, new Op(o.f(), o.value()));
                if (next.isEmpty()) {
                    return false;
                }
                state = next.get();
            }
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i]) {
                continue;
            }
            Timed candidate = ops.get(i);
            // real time: nothing left may have completed before this one was invoked
            boolean allowed = true;
            for (int j = 0; j < ops.size(); j++) {
                if (!used[j] && j != i && ops.get(j).ret() < candidate.call()) {
                    allowed = false;
                    break;
                }
            }
            if (allowed) {
                used[i] = true;
                order.add(candidate);
                boolean ok = orders(model, ops, order, used);
                order.remove(order.size() - 1);
                used[i] = false;
                if (ok) {
                    return true;
                }
            }
        }
        return false;
    }
}
