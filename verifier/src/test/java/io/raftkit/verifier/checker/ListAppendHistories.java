package io.raftkit.verifier.checker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates list-append histories from a serial execution, shaped like Jepsen's list-append
 * workload: concurrent processes, each transaction one to four appends (values unique per key) and
 * reads over a few active keys, each key retired after a number of appends so that no list grows
 * without bound. Every transaction takes effect at one moment between its invocation and its
 * completion, in one global order, so the history is strictly serializable; an {@code info}
 * transaction took effect or not (half each), a {@code fail} one did not. Then, optionally, one
 * anomaly is planted, changing only what was recorded.
 */
final class ListAppendHistories {

    enum Plant {
        /** An acknowledged append, once read, is gone from later reads: the key's reads disagree. */
        LOST_APPEND,
        /** A read misses the last append before it, though that append was acknowledged before the read began. */
        STALE_READ,
        /** A transaction whose append others read is recorded as failed. */
        ABORTED_READ
    }

    /** One transaction: its micro-ops ({f, key, value or read list}), outcome and event positions. */
    static final class Txn {
        final int process;
        final List<Object[]> mops = new ArrayList<>();
        String type;
        boolean applied;
        boolean decided;
        int invokeAt = -1;
        int completeAt = -1;

        Txn(int process) {
            this.process = process;
        }
    }

    private record Event(Txn txn, boolean completion) {
    }

    final List<Txn> txns = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    /** A strictly serializable history of {@code count} transactions. */
    static ListAppendHistories serial(long seed, int count, int processes, double infoFraction, double failFraction) {
        ListAppendHistories h = new ListAppendHistories();
        Random random = new Random(seed);
        int activeKeys = 8;
        int appendsPerKey = 32;
        Map<String, List<Long>> state = new HashMap<>();
        String[] active = new String[activeKeys];
        int[] appends = new int[activeKeys];
        int nextKey = 0;
        for (int i = 0; i < activeKeys; i++) {
            active[i] = "k" + nextKey++;
        }
        long nextValue = 1;
        Txn[] pending = new Txn[processes];
        int[] processIds = new int[processes];
        for (int i = 0; i < processes; i++) {
            processIds[i] = i;
        }
        int started = 0;
        int completed = 0;
        while (completed < count) {
            int slot = random.nextInt(processes);
            Txn t = pending[slot];
            if (t == null) {
                if (started == count) {
                    continue;
                }
                t = new Txn(processIds[slot]);
                int size = 1 + random.nextInt(4);
                for (int m = 0; m < size; m++) {
                    int k = random.nextInt(activeKeys);
                    if (random.nextBoolean()) {
                        t.mops.add(new Object[] {"append", active[k], nextValue++});
                        if (++appends[k] == appendsPerKey) {
                            active[k] = "k" + nextKey++;
                            appends[k] = 0;
                        }
                    } else {
                        t.mops.add(new Object[] {"r", active[k], null});
                    }
                }
                double u = random.nextDouble();
                t.type = u < failFraction ? "fail" : u < failFraction + infoFraction ? "info" : "ok";
                t.applied = t.type.equals("ok") || (t.type.equals("info") && random.nextBoolean());
                t.invokeAt = h.events.size();
                h.events.add(new Event(t, false));
                h.txns.add(t);
                pending[slot] = t;
                started++;
            } else if (!t.decided) {
                if (t.applied) { // the moment it takes effect, in the one serial order
                    for (Object[] mop : t.mops) {
                        List<Long> list = state.computeIfAbsent((String) mop[1], k -> new ArrayList<>());
                        if (mop[0].equals("append")) {
                            list.add((Long) mop[2]);
                        } else {
                            mop[2] = new ArrayList<>(list);
                        }
                    }
                }
                t.decided = true;
            } else {
                t.completeAt = h.events.size();
                h.events.add(new Event(t, true));
                pending[slot] = null;
                completed++;
                if (t.type.equals("info")) {
                    processIds[slot] += processes; // a crashed client continues as a new process, as in Jepsen
                }
            }
        }
        return h;
    }

    /** Plants one anomaly; returns what was changed, or throws if this history has no place for it. */
    String plant(Plant plant, long seed) {
        Random random = new Random(seed);
        return switch (plant) {
            case ABORTED_READ -> plantAbortedRead(random);
            case STALE_READ -> plantStaleRead(random);
            case LOST_APPEND -> plantLostAppend(random);
        };
    }

    private Map<String, Txn> writers() {
        Map<String, Txn> writers = new HashMap<>();
        for (Txn t : txns) {
            for (Object[] mop : t.mops) {
                if (mop[0].equals("append")) {
                    writers.put(mop[1] + "/" + mop[2], t);
                }
            }
        }
        return writers;
    }

    @SuppressWarnings("unchecked")
    private static List<Long> read(Object[] mop) {
        return (List<Long>) mop[2];
    }

    private static <T> T pick(List<T> candidates, Random random, String what) {
        if (candidates.isEmpty()) {
            throw new IllegalStateException("no place to plant " + what);
        }
        return candidates.get(random.nextInt(candidates.size()));
    }

    private String plantAbortedRead(Random random) {
        Map<String, Txn> writers = writers();
        List<Txn> candidates = new ArrayList<>();
        for (Txn reader : txns) {
            if (reader.type.equals("ok")) {
                for (Object[] mop : reader.mops) {
                    if (mop[0].equals("r")) {
                        for (Long v : read(mop)) {
                            Txn w = writers.get(mop[1] + "/" + v);
                            if (w != reader && w.type.equals("ok")) {
                                candidates.add(w);
                            }
                        }
                    }
                }
            }
        }
        Txn w = pick(candidates, random, "an aborted read");
        w.type = "fail";
        return "the transaction invoked at position " + w.invokeAt + " recorded as failed, though others read its appends";
    }

    private String plantStaleRead(Random random) {
        Map<String, Txn> writers = writers();
        List<Object[]> candidates = new ArrayList<>(); // {reader, mop}
        for (Txn r : txns) {
            if (!r.type.equals("ok")) {
                continue;
            }
            for (Object[] mop : r.mops) {
                long onKey = r.mops.stream().filter(m -> m[1].equals(mop[1])).count();
                if (mop[0].equals("r") && onKey == 1 && !read(mop).isEmpty()) {
                    Txn w = writers.get(mop[1] + "/" + read(mop).get(read(mop).size() - 1));
                    if (w.type.equals("ok") && w.completeAt < r.invokeAt) {
                        candidates.add(new Object[] {r, mop});
                    }
                }
            }
        }
        Object[] chosen = pick(candidates, random, "a stale read");
        List<Long> list = new ArrayList<>(read((Object[]) chosen[1]));
        Long dropped = list.remove(list.size() - 1);
        ((Object[]) chosen[1])[2] = list;
        return "the read of " + ((Object[]) chosen[1])[1] + " in the transaction invoked at position " + ((Txn) chosen[0]).invokeAt
                + " misses " + dropped + ", acknowledged before it began";
    }

    private String plantLostAppend(Random random) {
        Map<String, Txn> writers = writers();
        Map<String, List<Txn>> readers = new LinkedHashMap<>(); // key/value -> ok transactions that read it, by invocation
        Map<String, Boolean> followed = new HashMap<>(); // read by someone with a later element after it
        for (Txn t : txns) {
            if (!t.type.equals("ok")) {
                continue;
            }
            for (Object[] mop : t.mops) {
                if (mop[0].equals("r")) {
                    List<Long> list = read(mop);
                    for (int i = 0; i < list.size(); i++) {
                        String kv = mop[1] + "/" + list.get(i);
                        if (writers.get(kv) != t) {
                            List<Txn> rs = readers.computeIfAbsent(kv, x -> new ArrayList<>());
                            if (!rs.contains(t)) {
                                rs.add(t);
                            }
                            if (i + 1 < list.size() && rs.get(0) != t) {
                                followed.put(kv, true);
                            }
                        }
                    }
                }
            }
        }
        List<String> candidates = readers.keySet().stream()
                .filter(kv -> followed.containsKey(kv) && writers.get(kv).type.equals("ok")).toList();
        String kv = pick(candidates, random, "a lost append");
        Txn first = readers.get(kv).get(0);
        Txn writer = writers.get(kv);
        String key = kv.substring(0, kv.indexOf('/'));
        Long value = Long.valueOf(kv.substring(kv.indexOf('/') + 1));
        for (Txn t : txns) {
            if (t == first || t == writer || !t.type.equals("ok")) {
                continue;
            }
            for (Object[] mop : t.mops) {
                if (mop[0].equals("r") && mop[1].equals(key)) {
                    List<Long> list = new ArrayList<>(read(mop));
                    list.remove(value);
                    mop[2] = list;
                }
            }
        }
        return "append of " + value + " to " + key + " read by the transaction invoked at position " + first.invokeAt
                + ", then gone from every later read";
    }

    /** Writes the history as the runner's JSONL: one event a line, micro-ops as ["append", k, v] and ["r", k, list]. */
    void writeJsonl(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Event e : events) {
                Txn t = e.txn();
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("process", t.process);
                o.put("type", e.completion() ? t.type : "invoke");
                o.put("f", "txn");
                List<Object[]> value = new ArrayList<>();
                boolean reads = e.completion() && t.type.equals("ok");
                for (Object[] mop : t.mops) {
                    value.add(new Object[] {mop[0], mop[1], mop[0].equals("append") || reads ? mop[2] : null});
                }
                o.put("value", value);
                out.write(json.writeValueAsString(o));
                out.write('\n');
            }
        }
    }
}
